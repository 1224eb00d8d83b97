package dev.pipeline.rpc;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Exposes Java objects and handlers as JSON-RPC services through a transport. Obtain one with
 * {@link Rpc#server(String)}; register services, then {@link #start()}.
 *
 * <h2>What is exposed</h2>
 * Only what the service declares can be called. {@link #expose(String, Object)} exposes the public instance
 * methods that the target's class itself declares: not those of its superclasses or default methods of its
 * interfaces ({@link #exposeInherited(String, Object)} adds them), never {@code Object}'s methods or overrides of
 * them ({@code equals}, {@code hashCode}, {@code toString}), a {@code close()} without params, static, synthetic
 * or bridge methods. {@link #expose(String, Class, Object)} exposes exactly the methods of the interface and its
 * superinterfaces, {@code AutoCloseable}'s and {@code Closeable}'s {@code close()} only when the interface declares
 * {@code close()} itself. Service names are 1 to 100 of {@code A-Z a-z 0-9 . _ -}. Method names are Java
 * identifiers (no dots, spaces or dashes); names beginning with {@code rpc.} are reserved for the library. A
 * request is matched exactly and case-sensitively on its raw method name, so {@code " rpc.x"}, {@code "RPC.x"} or
 * {@code "a.b"} find no method and get -32601 Method not found without any user code running. Several
 * registrations may share a service as long as their method names differ; registering a name twice is an
 * error.
 *
 * <h2>Introspection</h2>
 * Every service also answers three built-in methods without user code: {@code rpc.ping} (instance id, library
 * version, uptime), {@code rpc.discover} (an OpenRPC 1.3.2 document of the service's methods, with JSON Schemas of
 * their params and results) and {@code rpc.stats} (this instance's calls, errors and latency percentiles per
 * method, and the messages in flight). It also applies the {@code rpc.cancel} notifications of callers that
 * cancelled a call ({@link Interruptible}). Any other {@code rpc.} name gets -32601. See docs/introspection.md.
 *
 * <h2>Params</h2>
 * Params bind by position (a JSON array) or by name (a JSON object, using the names given with {@link Param}, or
 * else the parameter names compiled in with {@code -parameters}; a by-name call to a method with neither is answered
 * with -32602 saying so), converted with Gson (records, lists, maps, {@code Optional}, enums, primitives,
 * {@code BigInteger}/{@code BigDecimal}; integral types only exactly: {@code 1.5} is not an {@code int}). A missing
 * {@code Optional} param is {@code Optional.empty()}; a missing other param, an extra or unknown param, or a value
 * that does not convert is answered with -32602 Invalid params naming the param. Type variables are resolved against
 * the target's class.
 *
 * <h2>Overloads</h2>
 * Overloads of one name must differ in their number of params; two with the same number are rejected at
 * registration ({@link IllegalArgumentException} naming both). A call picks the overload whose number of params
 * equals the number given (and, by name, whose names match); failing that, the overload with the fewest params
 * that accepts the call by omitting trailing {@code Optional} params.
 *
 * <h2>Results and errors</h2>
 * A method may return a value, {@code void} (result {@code null}), or a {@code CompletionStage}/{@code
 * CompletableFuture} of a value. An {@link RpcException} thrown (or completing the future) is answered with its code,
 * message and data. Any other exception or error (even a {@code StackOverflowError}) is answered with
 * {@link ErrorCodes#SERVER_ERROR} "Server error" and nothing else: its message and stack trace stay in the server
 * log (WARN, with service and method). A result that cannot be written as JSON (e.g. NaN) is -32603.
 *
 * <h2>Messages</h2>
 * The rules of JSON-RPC 2.0 hold exactly: -32700 (id null) for input that is not UTF-8 JSON; -32600 for an invalid
 * request, each invalid batch element getting its own, an empty batch getting one error object; notifications are
 * run but never answered, and a batch with nothing to answer gets no reply; ids are echoed exactly (numbers digit for
 * digit). Input over {@link Limits} is answered with one -32600 Invalid Request (id null) whose message names the
 * limit: larger than {@link Limits#maxMessageBytes()}, deeper than {@link Limits#maxDepth()}, or a batch of more than
 * {@link Limits#maxBatchSize()} requests. Unparseable, too large and too deep messages that came through a
 * transport are also copied to the service's dead-letter destination. Error messages begin with the
 * specification's words ("Method not found", "Invalid params", ...) followed by ": " and details. Batch elements run
 * in parallel; the reply keeps request order.
 *
 * <h2>Lifecycle</h2>
 * Handlers run on {@link ServerConfig#concurrency()} threads. {@link #start()} subscribes each registered service
 * (once: a second call throws); a service registered after start is subscribed at once. A request whose deadline
 * has passed is skipped (acknowledged, counted, not answered). {@link #close()} is idempotent.
 */
public interface RpcServer extends AutoCloseable {
    /**
     * Exposes the public instance methods that {@code target}'s class itself declares as methods of
     * {@code service}: not inherited ones, not {@code Object}'s or overrides of them, not {@code close()}, not
     * static, synthetic or bridge methods.
     *
     * @param service the name callers use for it
     * @param target the object whose methods answer the calls
     * @return this server
     * @throws IllegalArgumentException for an invalid or already used service name, a reserved method name
     *                                  ({@code rpc.*}) or an ambiguous overload
     */
    RpcServer expose(String service, Object target);

    /**
     * As {@link #expose(String, Object)}, and also the public instance methods {@code target}'s class inherits from
     * its superclasses and the default methods of its interfaces (still never {@code Object}'s, nor
     * {@code close()}). For a service built on a base class; exposing through an interface is the narrower choice.
     *
     * @param service the name callers use for it
     * @param target the object whose methods answer the calls
     * @return this server
     * @throws IllegalArgumentException as {@link #expose(String, Object)} throws it
     */
    RpcServer exposeInherited(String service, Object target);

    /**
     * Exposes exactly the methods of {@code iface}, implemented by {@code target}; {@code close()} only when the
     * interface declares it.
     *
     * @param <T> the interface's type
     * @param service the name callers use for it
     * @param iface the interface whose methods are exposed
     * @param target the implementation that answers the calls
     * @return this server
     * @throws IllegalArgumentException as {@link #expose(String, Object)} throws it
     */
    <T> RpcServer expose(String service, Class<T> iface, T target);

    /**
     * Registers a one-off method.
     *
     * @param service the name callers use for the service; a service may mix handlers and exposed objects
     * @param method the method's name within the service
     * @param handler answers each request to the method
     * @return this server
     * @throws IllegalArgumentException for an invalid service name, a reserved or already registered method name
     */
    RpcServer handle(String service, String method, MethodHandler handler);

    /**
     * Subscribes every registered service through the transport.
     *
     * @throws IllegalStateException when already started or closed, when the server has no transport, or when a
     *                               subscription cannot be set up (for a broker address where nothing listens,
     *                               {@code cannot reach Kafka at 127.0.0.1:9092: connection refused ...}, within
     *                               about 2 s)
     */
    void start();

    /**
     * The raw entry point: dispatches the bytes of one JSON-RPC message (single or batch) to {@code service}, on the
     * server's handler threads, whether or not the server was started. An unknown service is answered like an
     * unknown method (-32601).
     *
     * @param service the service the message is addressed to
     * @param message the message's UTF-8 JSON bytes
     * @return the response bytes, or empty when no response is due (notifications); never completes exceptionally
     * except with {@link IllegalStateException} once the server is closed
     */
    CompletableFuture<Optional<byte[]>> dispatch(String service, byte[] message);

    /**
     * Whether this server serves its services now, for health probes. {@code DOWN} before {@link #start()}, after
     * {@link #close()}, and while a service's transport loop is dead (a fatal error such as {@code OutOfMemoryError}
     * on the transport's thread: the loop is restarted after a back-off, and the fault is logged at ERROR);
     * {@code DEGRADED} for a few minutes after such a fault. The reasons name the service and the fault.
     * Never blocks.
     *
     * @return the server's health now
     */
    Health health();

    /** Stops consuming, finishes in-flight work within the grace period, and releases the transport. */
    @Override
    void close();
}
