package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import dev.pipeline.rpc.json.Codec;
import dev.pipeline.rpc.json.JsonOutput;
import dev.pipeline.rpc.json.Messages;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.Transport;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client: builds JSON-RPC requests, hands them to a {@link ClientChannel} and completes each call's future from
 * the reply, a timeout, a send failure, or {@link #close()}. The shared state lives in {@link ClientCore}; this class
 * is a view of it with a timeout ({@link #withTimeout(Duration)} makes another view).
 */
final class DefaultRpcClient implements RpcClient {
    private final ClientCore core;
    private final Duration timeout;
    private final long timeoutNanos;
    /** Whether this view's calls are declared idempotent ({@link #idempotent()}). */
    private final boolean idempotent;

    /** The client's core, for {@link Introspect#members}. */
    ClientCore core() {
        return core;
    }

    private DefaultRpcClient(ClientCore core, Duration timeout, boolean idempotent) {
        this.core = core;
        this.timeout = timeout;
        this.timeoutNanos = saturatedNanos(timeout);
        this.idempotent = idempotent;
    }

    /**
     * Opens a client on {@code transport}: opens its client channel and waits up to
     * {@link ClientConfig#readyTimeout()} for it to be ready to receive replies.
     *
     * @throws RpcException {@link ErrorCodes#TRANSPORT_ERROR} when the channel does not become ready in time; the
     *                      transport is closed then
     */
    static RpcClient open(Transport transport, ClientConfig config) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(config, "config");
        return new DefaultRpcClient(ClientCore.open(transport, config), config.defaultTimeout(), false);
    }

    // ---------------------------------------------------------------- calls

    @Override
    public <T> T call(String service, String method, Class<T> resultType, Object... params) {
        return call(service, method, (Type) resultType, params);
    }

    @Override
    public <T> T call(String service, String method, Type resultType, Object... params) {
        return call(service, method, resultType, idempotent, params);
    }

    private <T> T call(String service, String method, Type resultType, boolean idempotent, Object[] params) {
        checkNames(service, method);
        Objects.requireNonNull(resultType, "resultType");
        return awaitStarted(core.start(service, method, resultType, () -> positional(params), timeout, timeoutNanos,
                true, idempotent), service, method);
    }

    @Override
    public <T> T callNamed(String service, String method, Type resultType, Map<String, ?> params) {
        checkNames(service, method);
        Objects.requireNonNull(resultType, "resultType");
        Objects.requireNonNull(params, "params");
        return awaitStarted(core.start(service, method, resultType, () -> Messages.object(params), timeout,
                timeoutNanos, true, idempotent), service, method);
    }

    /**
     * Blocks until a call started awaited is settled: first reading the replies on this thread when the transport
     * can ({@link ClientCore#help}: no wake-up from the transport's thread), else waiting as for any future.
     */
    private <T> T awaitStarted(ClientCore.Started<T> call, String service, String method) {
        core.help(call, timeoutNanos);
        return await(call.future(), service, method);
    }

    @Override
    public <T> CompletableFuture<T> callAsync(String service, String method, Type resultType, Object... params) {
        return callAsync(service, method, resultType, idempotent, params);
    }

    private <T> CompletableFuture<T> callAsync(String service, String method, Type resultType, boolean idempotent,
                                               Object[] params) {
        checkNames(service, method);
        Objects.requireNonNull(resultType, "resultType");
        return core.call(service, method, resultType, () -> positional(params), timeout, timeoutNanos, idempotent);
    }

    @Override
    public <T> CompletableFuture<T> callNamedAsync(String service, String method, Type resultType,
                                                   Map<String, ?> params) {
        checkNames(service, method);
        Objects.requireNonNull(resultType, "resultType");
        Objects.requireNonNull(params, "params");
        return core.call(service, method, resultType, () -> Messages.object(params), timeout, timeoutNanos,
                idempotent);
    }

    @Override
    public void notify(String service, String method, Object... params) {
        checkNames(service, method);
        CompletableFuture<Void> sent = core.notification(service, method, positional(params), timeout);
        await(sent, service, method);
    }

    @Override
    public RpcBatch batch(String service) {
        checkService(service);
        return new ClientBatch(core, service, timeout, timeoutNanos);
    }

    @Override
    public <T> T proxy(Class<T> iface, String service) {
        Objects.requireNonNull(iface, "iface");
        checkService(service);
        if (!iface.isInterface()) {
            throw new IllegalArgumentException(iface.getName() + " is not an interface");
        }
        Object proxy = Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[]{iface},
                new ProxyHandler(iface, service));
        return iface.cast(proxy);
    }

    @Override
    public RpcClient withTimeout(Duration timeout) {
        return new DefaultRpcClient(core, ClientConfig.positive(timeout, "timeout"), idempotent);
    }

    @Override
    public RpcClient idempotent() {
        return idempotent ? this : new DefaultRpcClient(core, timeout, true);
    }

    @Override
    public void close() {
        core.close();
    }

    /** Messages awaiting a reply (for tests). */
    int pendingCount() {
        return core.pendingCount();
    }

    @Override
    public String toString() {
        return "RpcClient[" + core.describe() + ", timeout " + Durations.human(timeout)
                + (idempotent ? ", idempotent" : "") + "]";
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Waits for {@code future} on the caller's thread. The call's own timeout task completes it; the bound here is
     * only a safety net against a transport whose send never completes.
     */
    private <T> T await(CompletableFuture<T> future, String service, String method) {
        long bound = saturatedAdd(saturatedAdd(timeoutNanos, timeoutNanos), core.readyTimeoutNanos());
        try {
            return future.get(bound, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new RpcException(ErrorCodes.INTERNAL_ERROR,
                    "interrupted while waiting for " + service + "." + method, null, e);
        } catch (ExecutionException e) {
            throw asRpcException(e.getCause());
        } catch (CancellationException e) {
            throw new RpcException(ErrorCodes.INTERNAL_ERROR, "call " + service + "." + method + " was cancelled",
                    null, e);
        } catch (TimeoutException e) {
            RpcTimeoutException timedOut = new RpcTimeoutException("no reply from " + service + "." + method
                    + " within " + Durations.human(timeout) + " (the transport did not confirm the send)", false);
            future.completeExceptionally(timedOut);
            throw timedOut;
        }
    }

    static RpcException asRpcException(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof RpcException r) {
            return r;
        }
        return new RpcException(ErrorCodes.INTERNAL_ERROR, String.valueOf(cause), null, cause);
    }

    static JsonElement positional(Object[] params) {
        if (params == null || params.length == 0) {
            return null;
        }
        JsonArray array = new JsonArray(params.length);
        for (Object p : params) {
            array.add(Codec.toJson(p));
        }
        return array;
    }

    static void checkNames(String service, String method) {
        checkService(service);
        Objects.requireNonNull(method, "method");
        if (method.isEmpty()) {
            throw new IllegalArgumentException("method must not be empty");
        }
    }

    static void checkService(String service) {
        Objects.requireNonNull(service, "service");
        if (service.isBlank()) {
            throw new IllegalArgumentException("service must not be blank");
        }
    }

    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** Dispatches interface methods of a proxy to calls. */
    private final class ProxyHandler implements InvocationHandler {
        private final Class<?> iface;
        private final String service;
        /** The interface's methods that are {@link Idempotent} (on the method or on its declaring interface). */
        private final java.util.Set<Method> idempotentMethods = new java.util.HashSet<>();

        ProxyHandler(Class<?> iface, String service) {
            this.iface = iface;
            this.service = service;
            for (Method m : iface.getMethods()) {
                if (m.isAnnotationPresent(Idempotent.class)
                        || m.getDeclaringClass().isAnnotationPresent(Idempotent.class)
                        || iface.isAnnotationPresent(Idempotent.class)) {
                    idempotentMethods.add(m);
                }
            }
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                switch (method.getName()) {
                    case "equals":
                        return proxy == args[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "toString":
                        return "RpcProxy[" + iface.getName() + " -> " + service + "]";
                    default:
                        throw new UnsupportedOperationException(method.toString());
                }
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            Class<?> raw = method.getReturnType();
            if (raw == CompletableFuture.class || raw == CompletionStage.class) {
                Type generic = method.getGenericReturnType();
                Type resultType = generic instanceof ParameterizedType p ? p.getActualTypeArguments()[0]
                        : Object.class;
                return callAsync(service, method.getName(), resultType, isIdempotent(method), args);
            }
            return call(service, method.getName(), method.getGenericReturnType(), isIdempotent(method), args);
        }

        private boolean isIdempotent(Method method) {
            return idempotent || idempotentMethods.contains(method);
        }
    }

    /** A batch: entries collected, then sent as one message with one correlation id. */
    static final class ClientBatch implements RpcBatch {
        private final ClientCore core;
        private final String service;
        private final Duration timeout;
        private final long timeoutNanos;
        private final List<JsonElement> messages = new ArrayList<>();
        private final List<ClientCore.Entry> calls = new ArrayList<>();
        private boolean sent;

        ClientBatch(ClientCore core, String service, Duration timeout, long timeoutNanos) {
            this.core = core;
            this.service = service;
            this.timeout = timeout;
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public synchronized <T> CompletableFuture<T> call(String method, Type resultType, Object... params) {
            return add(method, resultType, positional(params));
        }

        @Override
        public synchronized <T> CompletableFuture<T> callNamed(String method, Type resultType,
                                                               Map<String, ?> params) {
            Objects.requireNonNull(params, "params");
            return add(method, resultType, Messages.object(params));
        }

        @SuppressWarnings("unchecked")
        private <T> CompletableFuture<T> add(String method, Type resultType, JsonElement params) {
            checkNames(service, method);
            Objects.requireNonNull(resultType, "resultType");
            checkOpen();
            long id = core.nextId();
            ClientCore.Entry entry = new ClientCore.Entry(id, service, method, resultType);
            messages.add(Messages.request(new JsonPrimitive(id), method, params));
            calls.add(entry);
            return (CompletableFuture<T>) entry.future;
        }

        @Override
        public synchronized RpcBatch notify(String method, Object... params) {
            checkNames(service, method);
            checkOpen();
            messages.add(Messages.request(null, method, positional(params)));
            return this;
        }

        @Override
        public CompletableFuture<Void> send() {
            JsonArray array;
            List<ClientCore.Entry> entries;
            synchronized (this) {
                if (messages.isEmpty()) {
                    throw new IllegalStateException("the batch is empty");
                }
                checkOpen();
                sent = true;
                array = new JsonArray(messages.size());
                messages.forEach(array::add);
                entries = List.copyOf(calls);
            }
            // outside the lock: replies may complete the futures (and run callbacks) before send returns
            return core.sendBatch(service, array, entries, timeout, timeoutNanos);
        }

        private void checkOpen() {
            if (sent) {
                throw new IllegalStateException("the batch was already sent");
            }
        }

        @Override
        public String toString() {
            return "RpcBatch[" + service + ", " + messages.size() + " messages]";
        }
    }

    static byte[] encode(JsonElement message) {
        return JsonOutput.toBytes(message);
    }

    static ClientSettings settings(ClientConfig config) {
        return new ClientSettings(config.clientId());
    }

    static OutgoingRequest outgoing(byte[] body, String correlationId, long deadline) {
        return new OutgoingRequest(body, correlationId, deadline, null);
    }
}
