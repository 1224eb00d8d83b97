package dev.pipeline.rpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pipeline.rpc.json.JsonInput;
import dev.pipeline.rpc.json.JsonInputException;
import dev.pipeline.rpc.spi.IncomingRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A server's record of cancelled calls ({@code rpc.cancel} notifications), and of the calls running now so that a
 * cancel can interrupt an {@link Interruptible} one.
 *
 * <p>A call is named by its caller's client id ({@code rpc-client}) and correlation id ({@code rpc-id}): a cancel
 * counts only for the calls of the client that sent it. Cancels are kept for {@link #TTL_NANOS} and at most
 * {@link #MAX_ENTRIES} of them (the oldest go first): a request taken up by a handler thread after its cancel
 * arrived is skipped.
 *
 * <p>The cancel notification is recognised on the transport's thread, before the message would queue for a handler
 * thread behind the very requests it cancels: only a message without a correlation id (a notification) and of at
 * most {@link #MAX_CANCEL_BYTES} is parsed there, and only after a byte scan found the method name in it.
 */
final class Cancellations {
    private static final Logger log = LoggerFactory.getLogger(Cancellations.class);
    /** The reserved method of the cancel notification. */
    static final String METHOD = "rpc.cancel";
    /** How long a cancel is kept. */
    static final long TTL_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** How many cancels are kept at most. */
    static final int MAX_ENTRIES = 10_000;
    /** The largest message read as a cancel: {@code rpc.cancel} with a 22-character id is about 80 bytes. */
    static final int MAX_CANCEL_BYTES = 512;
    private static final byte[] NAME = METHOD.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final Limits CANCEL_LIMITS = new Limits(MAX_CANCEL_BYTES, 4, 1);

    /** A call: who made it, and its correlation id. */
    record Key(String clientId, String correlationId) {
    }

    /** Cancelled calls and when their cancel arrived (System.nanoTime), oldest first; guarded by itself. */
    private final LinkedHashMap<Key, Long> order = new LinkedHashMap<>();
    /** The same, for the lock-free look-up every request makes (written under {@link #order}'s lock). */
    private final ConcurrentHashMap<Key, Long> cancelled = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Running> running = new ConcurrentHashMap<>();

    /** @return the key of {@code request}, or null when it cannot be cancelled (no client id or correlation id) */
    static Key key(IncomingRequest request) {
        return request == null || request.clientId() == null || request.correlationId() == null ? null
                : new Key(request.clientId(), request.correlationId());
    }

    /**
     * On the transport's thread: whether {@code request} is a cancel notification. If so it has been applied (the
     * call recorded as cancelled, its handler interrupted when running and {@link Interruptible}), and the message
     * needs nothing more: no handler, no reply.
     */
    boolean handled(IncomingRequest request) {
        byte[] body = request.body();
        if (request.correlationId() != null || body.length > MAX_CANCEL_BYTES || !contains(body, NAME)) {
            return false;
        }
        JsonElement root;
        try {
            root = JsonInput.parse(body, CANCEL_LIMITS);
        } catch (JsonInputException e) {
            return false; // the dispatcher answers it as usual
        }
        if (!(root instanceof JsonObject o) || !(o.get("method") instanceof com.google.gson.JsonPrimitive m)
                || !METHOD.equals(m.getAsString()) || o.has("id")) {
            return false;
        }
        String id = o.get("params") instanceof JsonObject p && p.get("id") instanceof com.google.gson.JsonPrimitive v
                && v.isString() ? v.getAsString() : null;
        if (id == null || request.clientId() == null) {
            log.debug("ignored an rpc.cancel without params.id or rpc-client");
            return true;
        }
        cancel(new Key(request.clientId(), id));
        return true;
    }

    /** Records {@code key} as cancelled and interrupts its handler when it runs now and opted in. */
    void cancel(Key key) {
        long now = System.nanoTime();
        synchronized (order) {
            order.remove(key);
            order.put(key, now);
            cancelled.put(key, now);
            Iterator<Map.Entry<Key, Long>> it = order.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Key, Long> e = it.next();
                if (order.size() <= MAX_ENTRIES && now - e.getValue() <= TTL_NANOS) {
                    break;
                }
                cancelled.remove(e.getKey(), e.getValue());
                it.remove();
            }
        }
        Running r = running.get(key);
        if (r != null) {
            r.cancel();
        }
        log.debug("call {} of client {} cancelled{}", key.correlationId(), key.clientId(),
                r == null ? "" : " while running");
    }

    /** @return whether the call {@code key} (may be null) was cancelled within {@link #TTL_NANOS} */
    boolean isCancelled(Key key) {
        if (key == null || cancelled.isEmpty()) {
            return false;
        }
        Long at = cancelled.get(key);
        return at != null && System.nanoTime() - at <= TTL_NANOS;
    }

    /**
     * Registers the call {@code key} (may be null: nothing is registered) as running on this thread until
     * {@link Running#close()}.
     */
    Running started(Key key, boolean interruptible) {
        if (key == null) {
            return Running.NONE;
        }
        Running r = new Running(this, key, interruptible ? Thread.currentThread() : null);
        running.put(key, r); // a batch's elements share a key: the last one started is the one interrupted
        if (isCancelled(key)) {
            r.cancel();
        }
        return r;
    }

    /** A call running on a handler thread. */
    static final class Running implements AutoCloseable {
        static final Running NONE = new Running(null, null, null);
        private final Cancellations owner;
        private final Key key;
        private Thread thread; // guarded by this; null once closed or when not interruptible
        private volatile boolean cancelled;

        private Running(Cancellations owner, Key key, Thread thread) {
            this.owner = owner;
            this.key = key;
            this.thread = thread;
        }

        boolean cancelled() {
            return cancelled;
        }

        synchronized void cancel() {
            cancelled = true;
            if (thread != null) {
                thread.interrupt();
            }
        }

        /** The method returned: no interrupt reaches the thread from now on, and one that came is cleared. */
        @Override
        public void close() {
            if (owner == null) {
                return;
            }
            owner.running.remove(key, this);
            boolean clear;
            synchronized (this) {
                clear = thread != null;
                thread = null;
            }
            if (clear) {
                Thread.interrupted(); // the pool thread goes on with the next call uninterrupted
            }
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0, n = haystack.length - needle.length; i <= n; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The number of cancels kept (for tests). */
    int size() {
        synchronized (order) {
            return order.size();
        }
    }
}
