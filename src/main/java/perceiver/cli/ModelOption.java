package perceiver.cli;

import java.nio.file.Path;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import perceiver.api.PerceiverIO;

/** The {@code --model} option shared by the commands that run a model. */
final class ModelOption {
    /** The model shipped in the repository: the mlm-bytes golden case (random weights) until a trained one exists. */
    static final String DEFAULT_MLM = "golden/mlm-bytes";

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Model directory in Hugging Face layout (config.json + safetensors or pytorch_model.bin), a"
                    + " weights file, or a hub id (e.g. deepmind/language-perceiver) in the local Hugging Face cache.")
    String model;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Loads the model to run on the backend of the global {@code --backend} and {@code --device} options. */
    PerceiverIO load() {
        Main main = Main.root(command);
        return PerceiverIO.load(model, main.backend, main.device, command.commandLine().getErr()::println);
    }

    /** Loads the model of a command that has no default model. */
    PerceiverIO loadRequired() {
        if (model == null) throw new IllegalArgumentException("--model DIR is required");
        return load();
    }

    /** The directory given, or the embedded default (resolved against the installation, see {@code ./perceiver}). */
    static String embeddedDefault() {
        return Path.of(System.getProperty("perceiver.home", ".")).resolve(DEFAULT_MLM).toString();
    }
}
