package dev.pipeline.rpc;

/** A call got no reply within its timeout ({@link ErrorCodes#TIMEOUT}). */
public class RpcTimeoutException extends RpcException {
    private static final long serialVersionUID = 1L;

    public RpcTimeoutException(String message) {
        super(ErrorCodes.TIMEOUT, message);
    }
}
