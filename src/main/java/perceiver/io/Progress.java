package perceiver.io;

/**
 * Told after each step of a long computation (optical-flow tiles, multimodal decoder chunks): how many of the total
 * are done. Called on the thread that runs the computation.
 */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total) -> {};

    void done(int done, int total);
}
