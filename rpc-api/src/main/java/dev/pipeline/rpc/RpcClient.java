package dev.pipeline.rpc;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Calls methods of remote services through a transport. Thread-safe; create one per application and share it.
 * Obtain one with {@link Rpc#client(String)}.
 *
 * <p>Every call completes exactly once: with its result, with an {@link RpcException} carrying the server's error,
 * with an {@link RpcTimeoutException}, or with {@link ErrorCodes#CLIENT_CLOSED} when the client is closed. A call's
 * timeout clock starts when it is sent, also while the transport waits for the broker to accept it. Calls beyond
 * {@link ClientConfig#maxInFlight()} fail at once with {@link ErrorCodes#OVERLOADED}; a request the transport cannot
 * send fails with {@link ErrorCodes#TRANSPORT_ERROR}; a reply that cannot be read or converted to the result type fails the call with
 * {@link ErrorCodes#INTERNAL_ERROR}.
 *
 * <p>Threads: asynchronous results complete on the thread that settles them (the transport's reply thread, the
 * client's timer thread, or the thread calling {@link #close()}). Do not block in dependent stages; use the
 * {@code *Async} methods of {@link CompletableFuture} with an executor of yours for slow work.
 */
public interface RpcClient extends AutoCloseable {
    /**
     * Calls {@code service.method} with positional params and waits for the result.
     *
     * @param <T> the result's type
     * @param service the service's name, as its servers expose it
     * @param method the method's name within the service
     * @param resultType the class the JSON result is converted to
     * @param params the params, sent as a JSON array (converted with Gson)
     * @return the result
     * @throws RpcException the server's error, or the client's own ({@link ErrorCodes#OVERLOADED},
     *     {@link ErrorCodes#TRANSPORT_ERROR}, {@link ErrorCodes#INTERNAL_ERROR}, {@link ErrorCodes#CLIENT_CLOSED})
     * @throws RpcTimeoutException when no reply came within the timeout
     */
    <T> T call(String service, String method, Class<T> resultType, Object... params);

    /**
     * Calls {@code service.method} with positional params and waits for the result.
     *
     * @param <T> the result's type
     * @param service the service's name, as its servers expose it
     * @param method the method's name within the service
     * @param resultType the type the JSON result is converted to; may be generic (e.g. from a Gson
     *     {@code TypeToken})
     * @param params the params, sent as a JSON array (converted with Gson)
     * @return the result
     * @throws RpcException the server's error, or the client's own ({@link ErrorCodes#OVERLOADED},
     *     {@link ErrorCodes#TRANSPORT_ERROR}, {@link ErrorCodes#INTERNAL_ERROR}, {@link ErrorCodes#CLIENT_CLOSED})
     * @throws RpcTimeoutException when no reply came within the timeout
     */
    <T> T call(String service, String method, Type resultType, Object... params);

    /**
     * Calls {@code service.method} with named params and waits for the result.
     *
     * @param <T> the result's type
     * @param service the service's name, as its servers expose it
     * @param method the method's name within the service
     * @param resultType the type the JSON result is converted to
     * @param params the params by name, sent as a JSON object
     * @return the result
     * @throws RpcException the server's error, or the client's own ({@link ErrorCodes#OVERLOADED},
     *     {@link ErrorCodes#TRANSPORT_ERROR}, {@link ErrorCodes#INTERNAL_ERROR}, {@link ErrorCodes#CLIENT_CLOSED})
     * @throws RpcTimeoutException when no reply came within the timeout
     */
    <T> T callNamed(String service, String method, Type resultType, Map<String, ?> params);

    /**
     * Calls {@code service.method} with positional params without blocking. Cancelling the future releases the call
     * and, once it was sent, asks the server to drop it ({@code rpc.cancel}, best effort: see {@link Interruptible});
     * so does interrupting a thread blocked in {@link #call}.
     *
     * @param <T> the result's type
     * @param service the service's name, as its servers expose it
     * @param method the method's name within the service
     * @param resultType the type the JSON result is converted to
     * @param params the params, sent as a JSON array
     * @return completes with the result, or exceptionally with an {@link RpcException} as the blocking call throws
     */
    <T> CompletableFuture<T> callAsync(String service, String method, Type resultType, Object... params);

    /**
     * Calls {@code service.method} with named params without blocking.
     *
     * @param <T> the result's type
     * @param service the service's name, as its servers expose it
     * @param method the method's name within the service
     * @param resultType the type the JSON result is converted to
     * @param params the params by name, sent as a JSON object
     * @return completes with the result, or exceptionally with an {@link RpcException} as the blocking call throws
     */
    <T> CompletableFuture<T> callNamedAsync(String service, String method, Type resultType, Map<String, ?> params);

    /**
     * Sends a notification: no reply is ever sent. Returns once the broker accepted it.
     *
     * @param service the service's name, as its servers expose it
     * @param method the method's name within the service
     * @param params the params, sent as a JSON array
     * @throws RpcException {@link ErrorCodes#TRANSPORT_ERROR} when the broker did not accept it
     */
    void notify(String service, String method, Object... params);

    /**
     * Starts a batch to {@code service}: add calls and notifications, then {@link RpcBatch#send()} it.
     *
     * @param service the service's name
     * @return an empty batch
     */
    RpcBatch batch(String service);

    /**
     * A typed stub: each interface method calls the method of the same name on {@code service}, its arguments sent by
     * position. Methods returning {@code CompletableFuture<T>} are asynchronous; others block. Methods annotated
     * {@link Idempotent} (or all of them, when the interface is) may be hedged ({@link ClientConfig#hedging()}).
     *
     * @param <T> the interface's type
     * @param iface the interface the stub implements
     * @param service the service's name
     * @return a stub whose methods throw what {@link #call(String, String, Type, Object...)} throws
     */
    <T> T proxy(Class<T> iface, String service);

    /**
     * A view of this client whose calls use {@code timeout}; it shares this client's connection, so closing the view
     * closes the client.
     *
     * @param timeout positive: how long each call waits for its reply, counted from when it is sent
     * @return the view
     */
    RpcClient withTimeout(Duration timeout);

    /**
     * A view of this client whose calls (not its notifications or batches) are declared {@link Idempotent}: safe
     * to execute more than once, so they may be hedged ({@link ClientConfig#hedging()}). It keeps this view's
     * timeout and shares this client's connection, so closing the view closes the client.
     *
     * @return the view
     */
    RpcClient idempotent();

    /** Fails every pending call with {@link ErrorCodes#CLIENT_CLOSED} and releases the transport. Idempotent. */
    @Override
    void close();
}
