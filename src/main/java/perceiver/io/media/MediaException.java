package perceiver.io.media;

/**
 * A media file that cannot be used: missing, unreadable, of an unsupported format, or of the wrong size. The message
 * is one line naming the file, what was expected and what was found.
 */
public final class MediaException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public MediaException(String message) {
        super(message);
    }

    public MediaException(String message, Throwable cause) {
        super(message, cause);
    }
}
