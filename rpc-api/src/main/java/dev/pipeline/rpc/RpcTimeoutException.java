package dev.pipeline.rpc;

/** A call got no reply within its timeout ({@link ErrorCodes#TIMEOUT}). */
public class RpcTimeoutException extends RpcException {
    /** Kept for the {@link java.io.Serializable} contract of exceptions; the project serializes none. */
    private static final long serialVersionUID = 1L;

    /**
     * A timeout with a message that says which call waited how long.
     *
     * @param message such as {@code no reply from calc.add within 30 s}
     */
    public RpcTimeoutException(String message) {
        super(ErrorCodes.TIMEOUT, message);
    }
}
