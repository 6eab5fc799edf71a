package perceiver.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import perceiver.tensor.Backends;

@Command(name = "devices", description = {
        "Lists the OpenCL devices: index, platform:device, type, name, platform, memory.",
        "Pick one with --device N (or PLATFORM:DEVICE) and --backend opencl; exits 2 when OpenCL is unavailable."})
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Backends.devices().forEach(spec.commandLine().getOut()::println);
        return 0;
    }
}
