package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.OutgoingRequest;
import dev.pipeline.rpc.spi.Reachability;
import dev.pipeline.rpc.spi.Reply;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.WireHeaders;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client side: requests are XADDed to {@code <prefix><service>}; replies come back on this client's own stream
 * {@code <prefix>reply:<clientId>}, read from its beginning with a blocking XREAD on a dedicated connection. The
 * stream expires {@code replyTtl} after its last reply or refresh (servers set the expiry when they reply, this
 * client refreshes it while alive), and this client trims what it has read.
 */
final class RedisClientChannel implements ClientChannel {
    private static final Logger log = LoggerFactory.getLogger(RedisClientChannel.class);
    private static final int TRIM_EVERY = 512;
    private static final byte[] EMPTY = new byte[0];

    private final RedisTransport transport;
    private final String clientId;
    private final ReplyListener listener;
    private final String replyKey;
    private final byte[] replyKeyBytes;
    private final byte[] clientIdBytes;
    private final Connector replies;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final XAddArgs requestAddArgs;
    private final dev.pipeline.rpc.spi.LoopHealth loopHealth;
    private volatile boolean closed;
    private volatile ScheduledFuture<?> refresh;
    private volatile ScheduledFuture<?> sweep;
    /** Sends not yet confirmed, oldest first; the sweep fails those Redis has not accepted within commandTimeout. */
    private final Queue<PendingSend> unconfirmed = new ConcurrentLinkedQueue<>();
    /** Last reply stream id read; only touched by the read loop (one read outstanding at a time). */
    private String lastId = "0-0";
    private int readSinceTrim;
    private long failures;
    /** When {@link #open()} ran: a first connection refused for {@link Reachability#DEFAULT_WINDOW} fails ready. */
    private volatile long openedNanos;

    RedisClientChannel(RedisTransport transport, String clientId, ReplyListener listener) {
        this.transport = transport;
        this.clientId = clientId;
        this.listener = listener;
        this.replyKey = transport.replyStream(clientId);
        this.replyKeyBytes = replyKey.getBytes(StandardCharsets.UTF_8);
        this.clientIdBytes = clientId.getBytes(StandardCharsets.UTF_8);
        this.replies = transport.connector("reply reader");
        this.loopHealth = new dev.pipeline.rpc.spi.LoopHealth("the Redis reply loop of client " + clientId);
        long maxLen = transport.config.streamMaxLen();
        this.requestAddArgs = maxLen > 0 ? new XAddArgs().maxlen(maxLen).approximateTrimming() : null;
    }

    void open() {
        openedNanos = System.nanoTime();
        long every = Math.max(200, transport.config.replyTtl().toMillis() / 3);
        refresh = transport.scheduler.scheduleWithFixedDelay(this::refreshExpiry, every, every, TimeUnit.MILLISECONDS);
        // often, so confirmed sends are not kept long: at most 100 ms of them stay on the heap
        long sweepEvery = Math.max(10, Math.min(100, transport.config.commandTimeout().toMillis() / 4));
        sweep = transport.scheduler.scheduleWithFixedDelay(this::sweepUnconfirmed, sweepEvery, sweepEvery,
                TimeUnit.MILLISECONDS);
        readReplies();
    }

    @Override
    public CompletableFuture<Void> ready() {
        return ready;
    }

    @Override
    public CompletableFuture<Void> send(String service, OutgoingRequest request) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("client channel is closed"));
        }
        if (service == null || service.isBlank() || service.startsWith(RedisTransport.REPLY_NAMESPACE)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("invalid service name '" + service
                    + "': blank, or in the reply streams' namespace '" + RedisTransport.REPLY_NAMESPACE + "'"));
        }
        int size = request.body().length;
        if (size > transport.config.maxMessageBytes()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("message of " + size
                    + " bytes exceeds the Redis transport limit of " + transport.config.maxMessageBytes()
                    + " bytes (option maxMessageBytes)"));
        }
        Map<String, byte[]> fields = new LinkedHashMap<>(8);
        if (request.correlationId() != null) {
            fields.put(WireHeaders.RPC_ID, utf8(request.correlationId()));
            fields.put(WireHeaders.REPLY_TO, replyKeyBytes);
        }
        if (request.deadlineEpochMillis() > 0) {
            fields.put(WireHeaders.DEADLINE, utf8(Long.toString(request.deadlineEpochMillis())));
        }
        fields.put(WireHeaders.CLIENT, clientIdBytes);
        if (request.traceparent() != null) {
            fields.put(WireHeaders.TRACEPARENT, utf8(request.traceparent()));
            if (request.tracestate() != null && !request.tracestate().isEmpty()) {
                fields.put(WireHeaders.TRACESTATE, utf8(request.tracestate()));
            }
        }
        fields.put(WireHeaders.BODY, request.body());
        String stream = transport.requestStream(service);
        CompletableFuture<Void> sent = new CompletableFuture<>();
        PendingSend pending = new PendingSend(System.nanoTime() + transport.config.commandTimeout().toNanos(), sent,
                stream);
        unconfirmed.add(pending);
        transport.commands.get().whenComplete((c, connectError) -> {
            if (connectError != null) {
                sent.completeExceptionally(Connector.unwrap(connectError));
                return;
            }
            RedisFuture<String> xadd = requestAddArgs == null ? c.async().xadd(stream, fields)
                    : c.async().xadd(stream, requestAddArgs, fields);
            pending.command = xadd;
            xadd.whenComplete((id, err) -> {
                if (err != null) {
                    Throwable cause = Connector.unwrap(err);
                    sent.completeExceptionally(new IllegalStateException("Redis at " + transport.display
                            + " did not accept the message for " + stream + ": "
                            + dev.pipeline.rpc.spi.Secrets.mask(cause.getMessage()), cause));
                } else {
                    sent.complete(null);
                }
            });
        });
        return sent;
    }

    /** Whether the service's stream has its group ({@link ServerGroups}). */
    @Override
    public CompletableFuture<java.util.Optional<String>> noServer(String service) {
        return closed ? CompletableFuture.completedFuture(java.util.Optional.empty())
                : ServerGroups.noServer(transport, service);
    }

    /** The consumers of the service's group ({@link GroupMembers}). */
    @Override
    public CompletableFuture<java.util.List<dev.pipeline.rpc.spi.ServerMember>> members(String service) {
        return closed ? CompletableFuture.failedFuture(new IllegalStateException("client closed"))
                : GroupMembers.members(transport, service);
    }

    private static final class PendingSend {
        final long deadlineNanos;
        final CompletableFuture<Void> future;
        final String stream;
        /** The XADD once issued; cancelled on timeout so a command buffered while disconnected is not sent late. */
        volatile RedisFuture<String> command;

        PendingSend(long deadlineNanos, CompletableFuture<Void> future, String stream) {
            this.deadlineNanos = deadlineNanos;
            this.future = future;
            this.stream = stream;
        }
    }

    /** Fails sends Redis has not confirmed within commandTimeout (for example while it is unreachable). */
    private void sweepUnconfirmed() {
        long now = System.nanoTime();
        PendingSend p;
        while ((p = unconfirmed.peek()) != null) {
            if (p.future.isDone()) {
                unconfirmed.poll();
            } else if (now - p.deadlineNanos >= 0) {
                unconfirmed.poll();
                p.future.completeExceptionally(new IllegalStateException("Redis at " + transport.display
                        + " did not accept the message for " + p.stream + " within "
                        + transport.config.commandTimeout().toMillis() + " ms"));
                RedisFuture<String> command = p.command;
                if (command != null) {
                    command.cancel(false);
                }
            } else {
                break;
            }
        }
    }

    private void readReplies() {
        if (closed) {
            return;
        }
        replies.get().whenComplete((c, connectError) -> {
            if (connectError != null) {
                onReadFailure(Connector.unwrap(connectError), true);
                return;
            }
            ready.complete(null);
            read(c);
        });
    }

    @SuppressWarnings("unchecked") // Lettuce's StreamOffset varargs
    private void read(StatefulRedisConnection<String, byte[]> c) {
        if (closed) {
            return;
        }
        XReadArgs args = XReadArgs.Builder.block(transport.config.blockTimeout().toMillis())
                .count(transport.config.readCount() * 4L);
        c.async().xread(args, XReadArgs.StreamOffset.from(replyKey, lastId)).whenComplete((msgs, err) -> {
            try {
                if (err != null) {
                    onReadFailure(Connector.unwrap(err), false);
                    return;
                }
                if (failures > 0) {
                    log.info("reply stream {} readable again", replyKey);
                    failures = 0;
                }
                if (msgs != null) {
                    deliver(msgs);
                }
            } catch (Throwable t) {
                // a fatal error on the I/O thread: the loop must not end silently (an exception here would only
                // complete a future nobody reads); it reads again from the last delivered reply after a back-off
                restartAfter(t);
                return;
            }
            read(c);
        });
    }

    private void restartAfter(Throwable error) {
        long backoff = loopHealth.died(error);
        try {
            transport.scheduler.schedule(() -> {
                loopHealth.restarted();
                readReplies();
            }, backoff, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // transport closing
        }
    }

    /** Hands one read's replies to the core together (it completes their callers in a burst). */
    private void deliver(List<StreamMessage<String, byte[]>> msgs) {
        List<Reply> replies = new java.util.ArrayList<>(msgs.size());
        for (StreamMessage<String, byte[]> m : msgs) {
            lastId = m.getId();
            Map<String, byte[]> body = m.getBody();
            if (body == null) {
                continue;
            }
            byte[] rpcId = body.get(WireHeaders.RPC_ID);
            byte[] payload = body.get(WireHeaders.BODY);
            if (rpcId == null || payload == null) {
                log.warn("ignoring entry {} of reply stream {} without {} or {}", m.getId(), replyKey,
                        WireHeaders.RPC_ID, WireHeaders.BODY);
                continue;
            }
            replies.add(new Reply(new String(rpcId, StandardCharsets.UTF_8), payload));
        }
        if (!replies.isEmpty()) {
            try {
                listener.onReplies(replies);
            } catch (RuntimeException e) {
                log.warn("reply listener of reply stream {} failed: {}", replyKey, e.toString());
            } catch (Error e) { // e.g. an OutOfMemoryError in a metrics callback: the replies still flow
                loopHealth.survived(e);
            }
        }
        readSinceTrim += msgs.size();
        if (readSinceTrim >= TRIM_EVERY) {
            readSinceTrim = 0;
            trimRead();
        }
    }

    /** Removes replies already read (approximately: whole stream nodes only, never an unread entry). */
    private void trimRead() {
        String upTo = lastId;
        StatefulRedisConnection<String, byte[]> c = transport.commands.now();
        if (c != null && !"0-0".equals(upTo)) {
            c.async().xtrim(replyKey, new XTrimArgs().minId(nextId(upTo)).approximateTrimming());
        }
    }

    private void onReadFailure(Throwable cause, boolean connecting) {
        if (closed) {
            return;
        }
        if (connecting && Connector.permanent(cause)) {
            ready.completeExceptionally(cause);
            log.error("client {}: {}", clientId, cause.getMessage());
            return;
        }
        long backoff = Math.min(1000, 50L << Math.min(failures + 1, 5));
        if (connecting && !ready.isDone() && cause instanceof Connector.RedisUnreachableException u && u.network
                && System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff) - openedNanos
                >= Reachability.DEFAULT_WINDOW.toNanos()) {
            ready.completeExceptionally(cause); // nothing listens there: say so now rather than at the ready timeout
            log.debug("client {}: {}", clientId, cause.getMessage());
            return;
        }
        if (failures++ == 0) {
            log.warn("client {}: reading replies from {} failed, retrying: {}", clientId, transport.display,
                    cause.getMessage());
        } else {
            log.debug("client {}: reading replies failed again: {}", clientId, cause.toString());
        }
        try {
            transport.scheduler.schedule(this::readReplies, backoff, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // transport closing
        }
    }

    private void refreshExpiry() {
        StatefulRedisConnection<String, byte[]> c = transport.commands.now();
        if (c != null && !closed) {
            c.async().pexpire(replyKey, transport.config.replyTtl().toMillis());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[]{refresh, sweep}) {
            if (f != null) {
                f.cancel(false);
            }
        }
        if (!ready.isDone()) {
            ready.completeExceptionally(new IllegalStateException("client channel closed before it was ready"));
        }
        replies.close();
        StatefulRedisConnection<String, byte[]> c = transport.commands.now();
        if (c != null) {
            try { // late replies recreate the stream with an expiry; deleting it now frees memory at once
                c.async().del(replyKey).toCompletableFuture().get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("deleting reply stream {}: {}", replyKey, e.toString());
            }
        }
        transport.forget(this);
    }

    /** @return the smallest stream id greater than {@code id} ("ms-seq"). */
    static String nextId(String id) {
        int dash = id.indexOf('-');
        long ms = Long.parseLong(id.substring(0, dash));
        long seq = Long.parseLong(id.substring(dash + 1));
        return seq == Long.MAX_VALUE ? (ms + 1) + "-0" : ms + "-" + (seq + 1);
    }

    static byte[] utf8(String s) {
        return s == null ? EMPTY : s.getBytes(StandardCharsets.UTF_8);
    }
}
