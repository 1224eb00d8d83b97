package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.pipeline.rpc.json.JsonInput;
import dev.pipeline.rpc.json.JsonInputException;
import dev.pipeline.rpc.json.JsonOutput;
import dev.pipeline.rpc.json.Messages;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.IncomingRequest;
import dev.pipeline.rpc.spi.RequestHandler;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A JSON-RPC service written directly against the SPI's {@link RequestHandler}, answering with {@link Messages}:
 * the client's counterpart in tests that do not need the real server.
 *
 * <p>Methods: {@code add} (positional or named a, b), {@code echo} (first param, or the named object), {@code fail}
 * (error -32050 with data), {@code hold} (answered when the test calls {@link #releaseHeld()}), {@code jitter}
 * (answered after the given microseconds on {@link #scheduler}), {@code garbage}, {@code wrongShape},
 * {@code wrongId}; anything else -32601.
 */
final class TestService implements RequestHandler {
    final List<IncomingRequest> received = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();
    final ScheduledExecutorService scheduler;

    record Held(CompletableFuture<HandlerOutcome> outcome, byte[] reply) {
    }

    TestService() {
        this(null);
    }

    TestService(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** Completes every held request with its answer; returns how many. */
    int releaseHeld() {
        int n = 0;
        Held h;
        while ((h = held.poll()) != null) {
            h.outcome.complete(HandlerOutcome.reply(h.reply));
            n++;
        }
        return n;
    }

    @Override
    public CompletionStage<HandlerOutcome> handle(IncomingRequest request) {
        received.add(request);
        JsonElement json;
        try {
            json = JsonInput.parse(request.body(), Limits.DEFAULT);
        } catch (JsonInputException e) {
            return done(Messages.failure(null, ErrorCodes.PARSE_ERROR, e.getMessage(), null));
        }
        if (json.isJsonArray()) {
            JsonArray replies = new JsonArray();
            for (JsonElement element : json.getAsJsonArray()) {
                JsonElement answer = answer(element.getAsJsonObject());
                if (answer != null) {
                    replies.add(answer);
                }
            }
            return replies.isEmpty() ? CompletableFuture.completedFuture(HandlerOutcome.none()) : done(replies);
        }
        JsonObject message = json.getAsJsonObject();
        String method = message.get("method").getAsString();
        JsonElement id = message.get("id");
        switch (method) {
            case "hold": {
                CompletableFuture<HandlerOutcome> outcome = new CompletableFuture<>();
                held.add(new Held(outcome, JsonOutput.toBytes(answer(message))));
                return outcome;
            }
            case "jitter": {
                CompletableFuture<HandlerOutcome> outcome = new CompletableFuture<>();
                long micros = message.getAsJsonArray("params").get(0).getAsLong();
                byte[] reply = JsonOutput.toBytes(Messages.success(id, new JsonPrimitive(micros)));
                scheduler.schedule(() -> outcome.complete(HandlerOutcome.reply(reply)), micros, TimeUnit.MICROSECONDS);
                return outcome;
            }
            case "garbage":
                return CompletableFuture.completedFuture(HandlerOutcome.reply("not json".getBytes(StandardCharsets.UTF_8)));
            case "wrongShape": {
                JsonObject o = new JsonObject();
                o.addProperty("jsonrpc", "2.0");
                o.add("id", id);
                return done(o);
            }
            case "wrongId":
                return done(Messages.success(new JsonPrimitive(-1), new JsonPrimitive(1)));
            default: {
                JsonElement answer = answer(message);
                return answer == null ? CompletableFuture.completedFuture(HandlerOutcome.none()) : done(answer);
            }
        }
    }

    private static CompletionStage<HandlerOutcome> done(JsonElement reply) {
        return CompletableFuture.completedFuture(HandlerOutcome.reply(JsonOutput.toBytes(reply)));
    }

    /** @return the response to one request, or null for a notification. */
    private static JsonElement answer(JsonObject request) {
        JsonElement id = request.get("id");
        if (id == null) {
            return null;
        }
        String method = request.get("method").getAsString();
        JsonElement params = request.get("params");
        switch (method) {
            case "add":
            case "addAsync":
            case "hold": {
                BigInteger sum = BigInteger.ZERO;
                if (params != null && params.isJsonArray()) {
                    for (JsonElement p : params.getAsJsonArray()) {
                        sum = sum.add(p.getAsBigInteger());
                    }
                } else if (params != null) {
                    for (var e : params.getAsJsonObject().entrySet()) {
                        sum = sum.add(e.getValue().getAsBigInteger());
                    }
                }
                return Messages.success(id, new JsonPrimitive(sum));
            }
            case "echo":
            case "echoAsync":
                return Messages.success(id, params == null ? null
                        : params.isJsonArray() ? params.getAsJsonArray().get(0) : params);
            case "fail":
                JsonObject data = new JsonObject();
                data.addProperty("why", "test");
                return Messages.failure(id, -32050, "boom", data);
            default:
                return Messages.failure(id, ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + method, null);
        }
    }
}
