package perceiver.checkpoint;

/**
 * A checkpoint or model file that cannot be used as it is: truncated, malformed, lying about its content, or
 * missing / misshaping a weight. The message names the file, the key and the expected and actual values.
 */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) { super(message); }

    public CheckpointException(String message, Throwable cause) { super(message, cause); }
}
