package perceiver.benchmark;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Resident memory of this process from {@code /proc/self/status} (Linux); -1 where it cannot be read. */
final class Memory {
    private Memory() {}

    /** Peak resident set size, {@code VmHWM}, in bytes. */
    static long peakResident() { return statusBytes("VmHWM:"); }

    /**
     * Resets {@code VmHWM} to the current resident size ({@code /proc/self/clear_refs}, Linux 4.0+), so that the next
     * {@link #peakResident} is the peak since now; does nothing where that is not possible.
     */
    static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // the peak then covers the whole process
        }
    }

    /** {@code /proc/loadavg} without its last two fields (1, 5 and 15 minute load averages), or "n/a". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** Current resident set size, {@code VmRSS}, in bytes. */
    static long resident() { return statusBytes("VmRSS:"); }

    private static long statusBytes(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The JVM's maximum heap and the heap flags it was started with, e.g. {@code "max 6.0 GB (-Xmx6g)"}. */
    static String heapSetting() {
        List<String> flags = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx") || a.startsWith("-Xms") || a.startsWith("-XX:MaxRAM")
                        || a.startsWith("-XX:G1HeapRegionSize") || a.startsWith("-XX:+Use") && a.endsWith("GC"))
                .toList();
        return String.format("max %.1f GB (%s)", Runtime.getRuntime().maxMemory() / 1e9,
                flags.isEmpty() ? "JVM default" : String.join(" ", flags));
    }
}
