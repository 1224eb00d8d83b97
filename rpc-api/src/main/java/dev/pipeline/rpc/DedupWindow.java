package dev.pipeline.rpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.pipeline.rpc.json.JsonInput;
import dev.pipeline.rpc.json.JsonOutput;
import dev.pipeline.rpc.json.Messages;
import dev.pipeline.rpc.spi.DedupStore;
import dev.pipeline.rpc.spi.IncomingRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;

/**
 * The server's deduplication window ({@link ServerConfig#dedupWindow()}): answers a request to an idempotent method
 * that was answered already with the stored result, and stores each result of such a method before its reply goes
 * out.
 *
 * <p>The key is the service and a SHA-256 digest of the client id and correlation id: fixed in size whatever the
 * headers hold, and meaningless to the store. The value is a SHA-256 digest of the method and params followed by the
 * response; a stored response answers only a request with the same method and params, so a correlation id reused for
 * another call (a buggy or hostile client) runs that call.
 */
final class DedupWindow {
    private static final Logger log = LoggerFactory.getLogger(DedupWindow.class);
    private static final int DIGEST = 32;
    static final int DEFAULT_MAX_ENTRIES = 10_000;
    static final long DEFAULT_MAX_BYTES = 16L << 20;

    /** One request's place in the window. */
    record Ticket(String key, byte[] digest) {
    }

    private final DedupStore store;
    private final Duration window;
    private final ServerConfig config;
    private final Limits limits;
    private volatile boolean failing;

    private DedupWindow(DedupStore store, ServerConfig config) {
        this.store = store;
        this.window = config.dedupWindow();
        this.config = config;
        this.limits = config.limits();
    }

    /** The window {@code config} asks for, or {@code null} when it is off. */
    static DedupWindow of(ServerConfig config) {
        if (config.dedupWindow().isZero()) {
            return null;
        }
        return new DedupWindow(config.dedupStore().orElseGet(() -> DedupStore.inMemory(DEFAULT_MAX_ENTRIES,
                DEFAULT_MAX_BYTES)), config);
    }

    /**
     * The ticket of a request, or {@code null} when it is not deduplicated: a notification, a message without a
     * correlation id (nobody waits for its reply), or a method not declared idempotent.
     */
    Ticket ticket(String service, Messages.Request request, RpcMethod method, IncomingRequest in) {
        if (request.isNotification() || in == null || in.correlationId() == null
                || !(method.idempotent() || config.declaredIdempotent(service, request.method()))) {
            return null;
        }
        MessageDigest sha = sha256();
        sha.update((in.clientId() == null ? "" : in.clientId()).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(in.correlationId().getBytes(StandardCharsets.UTF_8));
        String key = service + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
        sha.update(request.method().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        JsonElement params = request.params() == null ? JsonNull.INSTANCE : request.params();
        sha.update(params.toString().getBytes(StandardCharsets.UTF_8));
        return new Ticket(key, sha.digest());
    }

    /**
     * The stored response for {@code ticket}, re-addressed to the JSON-RPC id {@code id}, or {@code null} when there
     * is none (or it answers other params, or the store failed).
     */
    byte[] answer(Ticket ticket, JsonElement id) {
        byte[] stored;
        try {
            stored = store.get(ticket.key);
            healthy();
        } catch (Exception e) {
            failed("read", e);
            return null;
        }
        if (stored == null || stored.length <= DIGEST
                || !Arrays.equals(stored, 0, DIGEST, ticket.digest, 0, DIGEST)) {
            return null;
        }
        try {
            JsonElement response = JsonInput.parse(Arrays.copyOfRange(stored, DIGEST, stored.length), limits);
            if (!(response instanceof JsonObject o) || !o.has("result")) {
                return null;
            }
            o.add("id", id);
            return JsonOutput.toBytes(o);
        } catch (Exception e) { // a store another program wrote to: run the method
            log.debug("dedup store: an unreadable entry under {}: {}", ticket.key, e.toString());
            return null;
        }
    }

    /** Stores {@code response}, a successful response to the request of {@code ticket}. */
    void remember(Ticket ticket, byte[] response) {
        byte[] value = new byte[DIGEST + response.length];
        System.arraycopy(ticket.digest, 0, value, 0, DIGEST);
        System.arraycopy(response, 0, value, DIGEST, response.length);
        try {
            store.put(ticket.key, value, window);
            healthy();
        } catch (Exception e) {
            failed("write", e);
        }
    }

    private void healthy() {
        if (failing) {
            failing = false;
            log.info("dedup store {} works again", store);
        }
    }

    private void failed(String what, Exception e) {
        if (!failing) {
            failing = true;
            log.warn("dedup store {}: cannot {} ({}); idempotent methods run without deduplication until it works",
                    store, what, e.toString());
        } else {
            log.debug("dedup store {}: cannot {}: {}", store, what, e.toString());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
