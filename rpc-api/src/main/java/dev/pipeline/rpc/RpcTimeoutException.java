package dev.pipeline.rpc;

/** A call got no reply within its timeout ({@link ErrorCodes#TIMEOUT}). */
public class RpcTimeoutException extends RpcException {
    /** Kept for the {@link java.io.Serializable} contract of exceptions; the project serializes none. */
    private static final long serialVersionUID = 1L;

    /** See {@link #requestAccepted()}. */
    private final boolean requestAccepted;

    /**
     * A timeout whose request may have reached the broker ({@link #requestAccepted()} true).
     *
     * @param message such as {@code no reply from calc.add within 30 s}
     */
    public RpcTimeoutException(String message) {
        this(message, true);
    }

    /**
     * @param message         the message
     * @param requestAccepted whether the transport had confirmed that the broker accepted the request when the call
     *                        timed out
     */
    public RpcTimeoutException(String message, boolean requestAccepted) {
        super(ErrorCodes.TIMEOUT, message);
        this.requestAccepted = requestAccepted;
    }

    /**
     * @return whether the transport had confirmed that the broker accepted the request when the call timed out (or
     *     that is unknown): then it ran, runs later, or is skipped by a server that reads it after its deadline.
     *     False: no confirmation by the deadline. Usually the broker had not taken it (down, restarting,
     *     unreachable), and a server that reads it after its deadline skips it; it can have run only if the broker
     *     took it and the confirmation was lost or late
     */
    public boolean requestAccepted() {
        return requestAccepted;
    }
}
