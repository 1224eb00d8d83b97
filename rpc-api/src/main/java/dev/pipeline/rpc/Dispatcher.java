package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pipeline.rpc.json.Codec;
import dev.pipeline.rpc.json.JsonInput;
import dev.pipeline.rpc.json.JsonInputException;
import dev.pipeline.rpc.json.JsonOutput;
import dev.pipeline.rpc.json.Messages;
import dev.pipeline.rpc.spi.IncomingRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Turns the bytes of one JSON-RPC message (single or batch) into the bytes of its reply, or none, by the JSON-RPC 2.0
 * specification:
 * <ul>
 *   <li>Bytes that are not UTF-8 JSON: -32700 Parse error, id null (and dead-lettered by the server).</li>
 *   <li>Bytes over {@link Limits#maxMessageBytes()} or nested deeper than {@link Limits#maxDepth()}: one
 *       -32600 Invalid Request, id null, whose message says which limit (dead-lettered too). The message is not
 *       parsed (or not parsed further), so its ids are unknown.</li>
 *   <li>An empty batch, or one of more than {@link Limits#maxBatchSize()} elements: one -32600 object (not an
 *       array).</li>
 *   <li>Each invalid request (single or batch element): its own -32600, with its id when that id is valid.</li>
 *   <li>Unknown service or method: -32601; params that do not bind: -32602; an {@link RpcException}: its code,
 *       message and data; any other failure of a method: -32000 "Server error" (the details are logged, never
 *       sent); a result that cannot be written as JSON: -32603.</li>
 *   <li>Notifications are run and never answered; a batch with nothing to answer gets no reply at all.</li>
 *   <li>Batch elements run in parallel on the executor; the reply lists the responses in request order.</li>
 * </ul>
 * Error messages begin with the specification's text ("Parse error", "Invalid Request", "Method not found",
 * "Invalid params", "Internal error") followed by a colon and details.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    static final String UNKNOWN = "unknown";

    /**
     * What to do with one message.
     *
     * @param reply            the reply bytes, or {@code null} when none is due
     * @param deadLetterReason non-null when the message is poison (unparseable, too large, too deep)
     */
    record Outcome(byte[] reply, String deadLetterReason) {
        static final Outcome NONE = new Outcome(null, null);
    }

    private final Limits limits;
    private final int maxReplyBytes;
    private final Executor executor;
    private final RpcMetrics metrics;
    private final Function<String, Map<String, RpcMethod>> services;
    private final DedupWindow dedup;
    /** Server spans; null when tracing is disabled. */
    private final Tracing tracing;
    private final Cancellations cancellations;

    /**
     * @param maxReplyBytes the largest reply the transport carries: a larger one is answered with -32603 instead,
     *                      so that the caller gets an error rather than a timeout when the broker would refuse it
     * @param services      the methods of a service, or {@code null} when no such service is registered
     */
    Dispatcher(Limits limits, int maxReplyBytes, Executor executor, RpcMetrics metrics,
               Function<String, Map<String, RpcMethod>> services) {
        this(limits, maxReplyBytes, executor, metrics, services, null, null, new Cancellations());
    }

    /**
     * As above; {@code dedup} (may be null: none) answers requests to idempotent methods delivered again,
     * {@code tracing} (null: none) starts a server span per request, and {@code cancellations} is the server's record
     * of cancelled and running calls.
     */
    Dispatcher(Limits limits, int maxReplyBytes, Executor executor, RpcMetrics metrics,
               Function<String, Map<String, RpcMethod>> services, DedupWindow dedup, Tracing tracing,
               Cancellations cancellations) {
        this.dedup = dedup;
        this.tracing = tracing;
        this.cancellations = cancellations;
        this.limits = limits;
        this.maxReplyBytes = maxReplyBytes;
        this.executor = executor;
        this.metrics = metrics;
        this.services = services;
    }

    /**
     * Handles one message on the executor.
     *
     * @return the outcome; never completes exceptionally
     * @throws RejectedExecutionException when the executor no longer accepts work
     */
    CompletableFuture<Outcome> dispatch(String service, byte[] message, String transport) {
        return dispatch(service, message, transport, 0);
    }

    /**
     * Handles one message on the executor, unless {@code deadlineEpochMillis} (0: none) has passed when a handler
     * thread takes it up: then nothing runs, nothing is answered, and it is counted as expired.
     *
     * @return the outcome; never completes exceptionally
     * @throws RejectedExecutionException when the executor no longer accepts work
     */
    CompletableFuture<Outcome> dispatch(String service, byte[] message, String transport, long deadlineEpochMillis) {
        return dispatch(service, message, transport, deadlineEpochMillis, null);
    }

    /**
     * As {@link #dispatch(String, byte[], String, long)}; {@code incoming} (may be null) is the transport's message,
     * whose metadata the handlers' {@link RpcContext} shows.
     */
    CompletableFuture<Outcome> dispatch(String service, byte[] message, String transport, long deadlineEpochMillis,
                                        IncomingRequest incoming) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        executor.execute(() -> {
            IncomingRequest outer = INCOMING.get();
            INCOMING.set(incoming);
            try {
                if (IncomingRequest.expired(deadlineEpochMillis, System.currentTimeMillis())) {
                    metrics.rejectedInput(services.apply(service) == null ? UNKNOWN : service, transport, "expired");
                    log.debug("service {}: skipped a message whose deadline {} passed while it was queued", service,
                            deadlineEpochMillis);
                    done.complete(Outcome.NONE);
                    return;
                }
                if (cancellations.isCancelled(Cancellations.key(incoming))) { // rpc.cancel came while it queued
                    metrics.rejectedInput(services.apply(service) == null ? UNKNOWN : service, transport, "cancelled");
                    log.debug("service {}: skipped a cancelled call (rpc-id {})", service, incoming.correlationId());
                    done.complete(Outcome.NONE);
                    return;
                }
                process(service, message, transport).whenComplete((outcome, error) -> {
                    if (error != null) {
                        done.complete(bug(error));
                    } else {
                        done.complete(outcome);
                    }
                });
            } catch (Throwable t) {
                done.complete(bug(t));
            } finally {
                INCOMING.set(outer);
            }
        });
        return done;
    }

    /** The transport's message being processed on this thread, for {@link RpcContext}; null outside. */
    private static final ThreadLocal<IncomingRequest> INCOMING = new ThreadLocal<>();

    private static Outcome bug(Throwable t) {
        log.error("dispatcher failure (a bug): answered -32603", t);
        return new Outcome(bytes(Messages.failure(null, ErrorCodes.INTERNAL_ERROR, "Internal error", null)), null);
    }

    /** Handles one message on the calling thread (batch elements other than the first go to the executor). */
    CompletableFuture<Outcome> process(String service, byte[] message, String transport) {
        Map<String, RpcMethod> methods = services.apply(service);
        String serviceTag = methods == null ? UNKNOWN : service;
        JsonElement root;
        try {
            root = JsonInput.parse(message, limits);
        } catch (JsonInputException e) {
            metrics.rejectedInput(serviceTag, transport, e.kind().tag());
            boolean syntax = e.kind() == JsonInputException.Kind.SYNTAX;
            String text = (syntax ? "Parse error: " : "Invalid Request: ") + e.getMessage();
            log.debug("service {}: refused a message of {} bytes: {}", serviceTag, message.length, text);
            JsonObject reply = Messages.failure(null, syntax ? ErrorCodes.PARSE_ERROR : ErrorCodes.INVALID_REQUEST,
                    text, null);
            return CompletableFuture.completedFuture(new Outcome(bytes(reply), e.kind().tag() + ": "
                    + e.getMessage()));
        }
        if (root instanceof JsonArray batch) {
            return batch(service, serviceTag, methods, batch, transport);
        }
        Messages.Validated v = Messages.validateRequest(root);
        if (!v.valid()) {
            metrics.rejectedInput(serviceTag, transport, "invalid");
            return CompletableFuture.completedFuture(new Outcome(bytes(v.errorResponse()), null));
        }
        return call(service, serviceTag, methods, v.request(), transport)
                .thenApply(json -> json == null ? Outcome.NONE : new Outcome(json, null));
    }

    private CompletableFuture<Outcome> batch(String service, String serviceTag, Map<String, RpcMethod> methods,
                                             JsonArray batch, String transport) {
        if (batch.isEmpty() || batch.size() > limits.maxBatchSize()) {
            metrics.rejectedInput(serviceTag, transport, batch.isEmpty() ? "invalid" : "too-large");
            String text = batch.isEmpty() ? "Invalid Request: empty batch"
                    : "Invalid Request: batch of " + batch.size() + " requests exceeds the limit of "
                      + limits.maxBatchSize();
            return CompletableFuture.completedFuture(new Outcome(
                    bytes(Messages.failure(null, ErrorCodes.INVALID_REQUEST, text, null)), null));
        }
        int n = batch.size();
        @SuppressWarnings("unchecked")
        CompletableFuture<byte[]>[] parts = new CompletableFuture[n];
        Messages.Request inline = null;
        int inlineIndex = -1;
        for (int i = 0; i < n; i++) {
            Messages.Validated v = Messages.validateRequest(batch.get(i));
            if (!v.valid()) {
                metrics.rejectedInput(serviceTag, transport, "invalid");
                parts[i] = CompletableFuture.completedFuture(JsonOutput.toBytes(v.errorResponse()));
            } else if (inline == null) {
                inline = v.request(); // run on this thread once the others are queued
                inlineIndex = i;
            } else {
                parts[i] = submit(service, serviceTag, methods, v.request(), transport);
            }
        }
        if (inline != null) {
            parts[inlineIndex] = call(service, serviceTag, methods, inline, transport);
        }
        return CompletableFuture.allOf(parts).thenApply(ignored -> {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(64 * n);
            out.write('[');
            for (CompletableFuture<byte[]> part : parts) {
                byte[] json = part.join();
                if (json != null) {
                    if (out.size() > 1) {
                        out.write(',');
                    }
                    out.writeBytes(json);
                }
            }
            if (out.size() == 1) {
                return Outcome.NONE;
            }
            out.write(']');
            if (out.size() > maxReplyBytes) {
                log.warn("{}: a batch response of {} bytes exceeds the transport's {}; answered -32603", serviceTag,
                        out.size(), maxReplyBytes);
                return new Outcome(bytes(Messages.failure(null, ErrorCodes.INTERNAL_ERROR, tooLarge("batch response",
                        out.size()), null)), null);
            }
            return new Outcome(out.toByteArray(), null);
        });
    }

    private String tooLarge(String what, int bytes) {
        return "Internal error: the " + what + " of " + bytes + " bytes exceeds the largest message the transport"
                + " carries (" + maxReplyBytes + " bytes)";
    }

    private CompletableFuture<byte[]> submit(String service, String serviceTag, Map<String, RpcMethod> methods,
                                             Messages.Request request, String transport) {
        CompletableFuture<byte[]> part = new CompletableFuture<>();
        IncomingRequest incoming = INCOMING.get(); // a batch element: the same message, on another thread
        try {
            executor.execute(() -> callAs(incoming, service, serviceTag, methods, request, transport)
                    .whenComplete((json, e) -> {
                        if (e != null) {
                            log.error("dispatcher failure (a bug) in {}.{}", serviceTag, request.method(), e);
                            part.complete(request.isNotification() ? null : JsonOutput.toBytes(Messages.failure(
                                    request.id(), ErrorCodes.INTERNAL_ERROR, "Internal error", null)));
                        } else {
                            part.complete(json);
                        }
                    }));
        } catch (RejectedExecutionException e) {
            part.complete(request.isNotification() ? null : JsonOutput.toBytes(Messages.failure(request.id(),
                    ErrorCodes.INTERNAL_ERROR, "Internal error: the server is shutting down", null)));
        }
        return part;
    }

    private CompletableFuture<byte[]> callAs(IncomingRequest incoming, String service, String serviceTag,
                                             Map<String, RpcMethod> methods, Messages.Request request,
                                             String transport) {
        IncomingRequest outer = INCOMING.get();
        INCOMING.set(incoming);
        try {
            return call(service, serviceTag, methods, request, transport);
        } finally {
            INCOMING.set(outer);
        }
    }

    /**
     * Runs one valid request on the calling thread (and, for an asynchronous method, completes when its stage
     * does).
     *
     * @return the response as UTF-8 JSON, or {@code null} for a notification; never completes exceptionally
     */
    CompletableFuture<byte[]> call(String service, String serviceTag, Map<String, RpcMethod> methods,
                                   Messages.Request request, String transport) {
        long start = System.nanoTime();
        RpcMethod method = methods == null ? null : methods.get(request.method());
        String methodTag = method == null ? UNKNOWN : request.method();
        TraceHooks.ServerSpan span = tracing == null ? null
                : tracing.serve(service, method != null, request.method(), request.id(), INCOMING.get());
        CompletableFuture<JsonElement> result;
        DedupWindow.Ticket ticket = null;
        try {
            if (method == null) {
                throw new RpcException(ErrorCodes.METHOD_NOT_FOUND, methods == null
                        ? "Method not found: no service '" + RpcMethod.clip(service) + "'"
                        : "Method not found: service '" + service + "' has no method '"
                          + RpcMethod.clip(request.method()) + "'");
            }
            RpcContext outer = RpcContext.CURRENT.get();
            IncomingRequest in = INCOMING.get();
            ticket = dedup == null ? null : dedup.ticket(service, request, method, in);
            if (ticket != null) {
                byte[] stored = dedup.answer(ticket, request.id());
                if (stored != null) {
                    metrics.deduplicated(serviceTag, methodTag, transport);
                    log.debug("{}.{}: answered a request delivered again from the dedup window", serviceTag,
                            methodTag);
                    if (span != null) {
                        Tracing.end(span, null);
                    }
                    return CompletableFuture.completedFuture(stored);
                }
            }
            Cancellations.Running running = cancellations.started(Cancellations.key(in), method.interruptible());
            RpcContext.CURRENT.set(new RpcContext(service, request.method(),
                    request.id() == null ? null : request.id().toString(), in == null ? null : in.correlationId(),
                    in == null ? null : in.clientId(), in == null ? 0 : Math.max(0, in.deadlineEpochMillis()),
                    in == null ? null : in.traceparent(), running::cancelled));
            Object value;
            TraceHooks.Scope scope = Tracing.makeCurrent(span); // calls the handler makes continue the trace
            try {
                value = method.invoke(request.params());
            } finally {
                scope.close();
                running.close();
                RpcContext.CURRENT.set(outer);
            }
            if (value instanceof CompletionStage<?> stage) {
                result = stage.toCompletableFuture().thenApply(Dispatcher::toJson);
            } else {
                result = CompletableFuture.completedFuture(toJson(value));
            }
        } catch (Throwable t) {
            result = CompletableFuture.failedFuture(t);
        }
        DedupWindow.Ticket remember = ticket;
        return result.handle((json, error) -> {
            JsonObject failure = error == null ? null : failure(serviceTag, methodTag, request, error);
            metrics.serverRequest(serviceTag, methodTag, transport, error == null ? RpcMetrics.OK : RpcMetrics.ERROR,
                    System.nanoTime() - start);
            if (span != null) {
                Tracing.end(span, failure == null ? null : errorCode(failure));
            }
            if (request.isNotification()) {
                return null;
            }
            try {
                byte[] reply = failure == null ? JsonOutput.success(request.id(), json) : JsonOutput.toBytes(failure);
                if (reply.length > maxReplyBytes) {
                    log.warn("{}.{}: a response of {} bytes exceeds the transport's {}; answered -32603",
                            serviceTag, methodTag, reply.length, maxReplyBytes);
                    return JsonOutput.toBytes(Messages.failure(request.id(), ErrorCodes.INTERNAL_ERROR,
                            tooLarge("response", reply.length), null));
                }
                if (remember != null && failure == null) {
                    dedup.remember(remember, reply); // before the reply goes out: a redelivery finds it
                }
                return reply;
            } catch (Throwable t) { // e.g. a JsonElement result or error data holding NaN
                log.warn("{}.{}: the response could not be written as JSON; answered -32603", serviceTag,
                        methodTag, t);
                return JsonOutput.toBytes(Messages.failure(request.id(), ErrorCodes.INTERNAL_ERROR,
                        "Internal error: the result could not be written as JSON", null));
            }
        });
    }

    /** The code of a failure response, or -32603 when it has none. */
    private static Integer errorCode(JsonObject failure) {
        try {
            return failure.getAsJsonObject("error").get("code").getAsInt();
        } catch (RuntimeException e) {
            return ErrorCodes.INTERNAL_ERROR;
        }
    }

    private static JsonElement toJson(Object value) {
        try {
            return Codec.toJson(value);
        } catch (Throwable t) {
            throw new ResultConversionException(t);
        }
    }

    private static JsonObject failure(String service, String method, Messages.Request request, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof RpcException e) {
            if (log.isDebugEnabled()) {
                log.debug("{}.{} answered error {}: {}", service, method, e.code(), e.getMessage());
            }
            return Messages.failure(request.id(), e.code(), e.getMessage() == null ? "" : e.getMessage(), e.data());
        }
        if (cause instanceof ResultConversionException) {
            log.warn("{}.{}: the result could not be converted to JSON; answered -32603", service, method,
                    cause.getCause());
            return Messages.failure(request.id(), ErrorCodes.INTERNAL_ERROR,
                    "Internal error: the result could not be converted to JSON", null);
        }
        log.warn("{}.{} failed; answered {} Server error", service, method, ErrorCodes.SERVER_ERROR, cause);
        return Messages.failure(request.id(), ErrorCodes.SERVER_ERROR, "Server error", null);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        for (int i = 0; i < 10; i++) {
            Throwable next = cause instanceof CompletionException || cause instanceof ExecutionException
                    || cause instanceof InvocationTargetException || cause instanceof UndeclaredThrowableException
                    ? cause.getCause() : null;
            if (next == null) {
                break;
            }
            cause = next;
        }
        return cause;
    }

    private static byte[] bytes(JsonObject response) {
        return JsonOutput.toBytes(response);
    }

    /** A result value Gson could not convert. */
    private static final class ResultConversionException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ResultConversionException(Throwable cause) {
            super(cause.toString(), cause, false, false);
        }
    }
}
