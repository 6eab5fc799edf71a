package perceiver.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import perceiver.io.flow.FloFile;
import perceiver.io.flow.FlowColor;
import perceiver.tensor.Tensor;

@Command(name = "flow", description = {
        "Optical flow from FRAME1 to FRAME2: writes OUT.flo and OUT.png.",
        "Frames: image files of one size, at least the model's train_size; larger frames are covered by "
                + "blended tiles of that size (progress shows on a terminal). OUT.flo is Middlebury's format, OUT.png "
                + "its colour wheel; the mean flow is printed."})
final class FlowCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Parameters(index = "0", paramLabel = "FRAME1")
    Path frame1;

    @Parameters(index = "1", paramLabel = "FRAME2")
    Path frame2;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "Base name of the outputs OUT.flo and OUT.png (a trailing .flo or .png is dropped).")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Path base = baseName(output);
        Tensor flow = model.loadRequired().opticalFlow(frame1, frame2,
                TerminalProgress.forStderr(spec.commandLine().getErr(), "flow: tile"));
        Path flo = base.resolveSibling(base.getFileName() + ".flo"), png = base.resolveSibling(base.getFileName() + ".png");
        FloFile.write(flo, flow);
        FlowColor.writePng(png, flow);
        int h = flow.dim(0), w = flow.dim(1);
        double u = 0, v = 0;
        for (int p = 0; p < h * w; p++) {
            u += flow.data()[flow.offset() + 2 * p];
            v += flow.data()[flow.offset() + 2 * p + 1];
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "flow %dx%d (WxH): mean (u, v) = (%.4f, %.4f) px, max |flow| %.4f px%n", w, h,
                u / (h * w), v / (h * w), FlowColor.maxMagnitude(flow));
        out.println("wrote " + flo);
        out.println("wrote " + png);
        return 0;
    }

    /** {@code OUT} without a trailing {@code .flo} or {@code .png}. */
    static Path baseName(Path out) {
        if (out.getFileName() == null) throw new IllegalArgumentException("-o " + out + ": needs a file name");
        String name = out.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if ((lower.endsWith(".flo") || lower.endsWith(".png")) && name.length() > 4) {
            return out.resolveSibling(name.substring(0, name.length() - 4));
        }
        return out;
    }
}
