package perceiver.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import perceiver.api.PerceiverIO;
import perceiver.io.audio.Wav;
import perceiver.io.media.MediaException;
import perceiver.io.media.Video;

@Command(name = "autoencode", description = {
        "Video + audio autoencoding: reconstructed frames and audio, PSNR, labels.",
        "Encodes the clip once, decodes it in chunks (progress shows on a terminal), writes "
                + "OUTDIR/frame0000.png... and OUTDIR/audio.wav (16-bit), prints the PSNR of video and audio and the "
                + "label probabilities. The video must have the model's output_shape (T frames of HxW), the audio "
                + "exactly num_frames x audio_samples_per_frame samples at --sample-rate."})
final class AutoencodeCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = "--video", required = true, arity = "1..*", paramLabel = "DIR_OR_FILES",
            description = "A directory of frame images (taken in file-name order) or the frame files in order.")
    List<Path> video;

    @Option(names = "--audio", required = true, paramLabel = "WAV", description = "Mono WAV file.")
    Path audio;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUTDIR", description = "Output directory (created).")
    Path outDir;

    @Option(names = "--sample-rate", defaultValue = "48000", paramLabel = "HZ",
            description = "Sample rate the WAV must have (default ${DEFAULT-VALUE}, the paper's Kinetics audio).")
    int sampleRate;

    @Option(names = "--chunks", defaultValue = "128", paramLabel = "N",
            description = "Decoder chunks (default ${DEFAULT-VALUE}, as HF's recipe; at most the number of audio patches).")
    int chunks;

    @Option(names = "--top", defaultValue = "5", description = "How many labels to print (default ${DEFAULT-VALUE}).")
    int top;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Predictions.checkTop(top);
        if (chunks < 1) throw new IllegalArgumentException("--chunks must be >= 1, got " + chunks);
        PerceiverIO m = model.loadRequired();
        PerceiverIO.Autoencoding r = m.autoencode(frames(video), audio, sampleRate, chunks,
                TerminalProgress.forStderr(spec.commandLine().getErr(), "autoencode: chunk"));
        List<Path> written = Video.writeFrames(r.video(), outDir, "frame");
        Path wav = outDir.resolve("audio.wav");
        Wav.write16(wav, r.audio());
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "video PSNR %.2f dB (%d frames of %dx%d)%n", r.videoPsnr(), r.video().dim(0),
                r.video().dim(3), r.video().dim(2));
        out.printf(Locale.ROOT, "audio PSNR %.2f dB (%d samples at %d Hz)%n", r.audioPsnr(), r.audio().samples().length,
                r.audio().sampleRate());
        out.println("labels:");
        Predictions.print(out, r.labels().subList(0, Math.min(top, r.labels().size())), "  ");
        out.println("wrote " + written.size() + " frames " + written.get(0) + " .. " + written.get(written.size() - 1).getFileName());
        out.println("wrote " + wav);
        return 0;
    }

    /** One directory: its frame images in name order; otherwise the files as given. */
    static List<Path> frames(List<Path> video) {
        if (video.size() == 1 && Files.isDirectory(video.get(0))) return Video.frameFiles(video.get(0));
        for (Path p : video) {
            if (Files.isDirectory(p)) throw new MediaException(p + ": a directory among several --video arguments; give one directory or frame files");
        }
        return video;
    }
}
