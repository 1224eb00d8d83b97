package dev.pipeline.rpc;

/**
 * JSON-RPC 2.0 error codes: the ones the specification defines, and Pipeline's own in the implementation-defined
 * server range (-32000..-32099). Codes marked "client side" are never sent on the wire: the client raises them.
 */
public final class ErrorCodes {
    /** Invalid JSON was received. */
    public static final int PARSE_ERROR = -32700;
    /** The JSON sent is not a valid Request object. */
    public static final int INVALID_REQUEST = -32600;
    /** The method does not exist or is not available. */
    public static final int METHOD_NOT_FOUND = -32601;
    /** Invalid method parameter(s). */
    public static final int INVALID_PARAMS = -32602;
    /** Internal JSON-RPC error. */
    public static final int INTERNAL_ERROR = -32603;
    /** A method failed with an exception that is not an {@link RpcException} (details stay in the server log). */
    public static final int SERVER_ERROR = -32000;
    /** Client side: no reply arrived within the call's timeout. */
    public static final int TIMEOUT = -32001;
    /** Client side: the client was closed while the call was pending. */
    public static final int CLIENT_CLOSED = -32002;
    /** Client side: the transport could not send the request. */
    public static final int TRANSPORT_ERROR = -32003;
    /** Client side: too many calls in flight. */
    public static final int OVERLOADED = -32004;
    /**
     * Client side: no server has ever served the service at this broker (Kafka: no consumer group; Redis: no
     * group on the stream), so the call fails at once instead of waiting out its timeout.
     */
    public static final int NO_SERVER = -32005;

    /** Lowest code of the implementation-defined server error range. */
    public static final int SERVER_RANGE_MIN = -32099;
    /** Highest code of the implementation-defined server error range. */
    public static final int SERVER_RANGE_MAX = -32000;

    private ErrorCodes() {
    }
}
