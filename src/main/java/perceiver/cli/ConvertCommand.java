package perceiver.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import perceiver.checkpoint.CheckpointSummary;
import perceiver.checkpoint.Checkpoints;
import perceiver.checkpoint.TensorStore;

@Command(name = "convert", description = {
        "Writes any loadable checkpoint (safetensors, sharded safetensors, PyTorch .bin/.pt) as one safetensors file.",
        "Floats become F32 unless --keep-dtypes."})
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "Checkpoint file or *.index.json of a sharded one.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The safetensors file to write.")
    Path out;

    @Option(names = "--keep-dtypes", description = "Keep F16/BF16 tensors in their type instead of widening to F32.")
    boolean keepDtypes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (TensorStore store = Checkpoints.open(in)) {
            CheckpointSummary s = Checkpoints.describe(store);
            Checkpoints.convert(store, out, keepDtypes);
            spec.commandLine().getOut().printf("read %s (%s, %d tensors, %,d elements), wrote %s%n",
                    in, s.format(), s.tensors(), s.elements(), out);
        }
        return 0;
    }
}
