package perceiver.models;

/** A model class or configuration option this implementation does not build (yet). */
public class UnsupportedModelException extends RuntimeException {
    public UnsupportedModelException(String message) { super(message); }
}
