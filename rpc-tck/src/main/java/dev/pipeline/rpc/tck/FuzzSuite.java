package dev.pipeline.rpc.tck;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server behind the transport under test, fed hostile input through the transport's own client channel: random
 * bytes, invalid UTF-8, deep nesting, huge numbers, long strings, JSON that is not JSON-RPC, and forged metadata
 * (correlation ids that are huge, odd or repeated; deadlines that are negative, zero, past or absurdly far). The
 * corpus is generated from a fixed seed ({@value #SEED} unless {@code -Dpipeline.fuzz.seed} says otherwise, with
 * {@code -Dpipeline.fuzz.count} inputs, default {@value #DEFAULT_COUNT}), so a failure reproduces.
 *
 * <p>Invariants: every input that names a reply address gets exactly one reply, and that reply is a JSON-RPC error;
 * no handler runs for any of them; the server keeps serving (a normal call works after each burst).
 */
public abstract class FuzzSuite extends TckBase {
    /** The default seed of the corpus. */
    public static final long SEED = 20261207L;
    private static final int DEFAULT_COUNT = 300;

    private String svc;
    private final AtomicInteger handlerRuns = new AtomicInteger();
    private RpcClient client;
    private RawClient raw;

    /** What the fuzzed service exposes: a method that counts its runs (no fuzz input may reach it). */
    public static final class Probe {
        private final AtomicInteger runs;

        Probe(AtomicInteger runs) {
            this.runs = runs;
        }

        /** @return {@code x}; counts the run. */
        public int hit(int x) {
            runs.incrementAndGet();
            return x;
        }
    }

    @Override
    void setUpClass() {
        svc = uniqueService("fuzz");
        RpcServer server = server();
        server.expose(svc, new Probe(handlerRuns));
        server.start();
        client = client();
        raw = rawClient();
        assertThat(client.call(svc, "hit", int.class, 1)).isEqualTo(1);
        handlerRuns.set(0);
    }

    @Test
    @DisplayName("fuzz: random and hostile bodies each get one JSON-RPC error; no handler runs; the server serves on")
    public void hostileBodies() {
        long seed = Long.getLong("pipeline.fuzz.seed", SEED);
        int count = Integer.getInteger("pipeline.fuzz.count", DEFAULT_COUNT);
        Random random = new Random(seed);
        int runsBefore = handlerRuns.get();
        int repliesBefore = raw.all().size();
        // in chunks of 32: sent, then each reply awaited and checked, so a long run holds one chunk's bodies only
        Map<String, byte[]> sent = new LinkedHashMap<>();
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            byte[] body = hostileBody(random, i);
            bytes += body.length;
            String cid = "tck-fuzz-" + i + "-" + UUID.randomUUID();
            sent.put(cid, body);
            sends.add(raw.sendAsync(svc, body, cid, 0));
            if (sends.size() >= 32 || i == count - 1) {
                sends.forEach(this::get);
                sends.clear();
                for (Map.Entry<String, byte[]> e : sent.entrySet()) {
                    String reply = raw.awaitReply(e.getKey());
                    assertError(reply, e.getValue(), seed);
                }
                sent.clear();
            }
        }
        assertThat(raw.all()).as("one reply per input (seed %d)", seed).hasSize(repliesBefore + count);
        assertThat(handlerRuns).as("handler runs for invalid input (seed %d)", seed).hasValue(runsBefore);
        assertThat(client.call(svc, "hit", int.class, 7)).isEqualTo(7);
        System.out.printf("FuzzSuite.hostileBodies on %s: %,d inputs (%,d bytes) from seed %d, each answered with"
                + " one JSON-RPC error, no handler run%n", fixture, count, bytes, seed);
    }

    @Test
    @DisplayName("fuzz: forged correlation ids and deadlines never stall the server")
    public void forgedMetadata() {
        String valid = "{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"params\":[3],\"id\":1}";
        byte[] body = valid.getBytes(StandardCharsets.UTF_8);
        int runsBefore = handlerRuns.get();
        // odd correlation ids: long, with separators and control characters, repeated; each is a valid call
        List<String> ids = List.of("x".repeat(16 * 1024), "a:b:c", "tck-\u0000-\u007f", "tck-ünï-€", "tck-rep",
                "tck-rep");
        for (String cid : ids) {
            get(raw.sendAsync(svc, body, cid, 0));
        }
        // deadlines: long past and the epoch's first millisecond (expired: skipped, no reply), and beyond a day
        // ahead (refused: an error reply); none of them runs the handler
        long now = System.currentTimeMillis();
        long[] expired = {1, now - 60_000};
        long[] tooFar = {Long.MAX_VALUE, now + 365L * 24 * 3600 * 1000};
        for (long deadline : expired) {
            get(raw.sendAsync(svc, body, "tck-deadline-" + deadline, deadline));
        }
        for (long deadline : tooFar) {
            get(raw.sendAsync(svc, body, "tck-deadline-" + deadline, deadline));
        }
        // the server keeps serving right after
        assertThat(client.call(svc, "hit", int.class, 9)).isEqualTo(9);
        // every odd id is answered with its result (the repeated one twice); the far deadlines with an error
        await().untilAsserted(() -> {
            for (String cid : ids) {
                assertThat(raw.repliesFor(cid)).as("replies to %s", cid)
                        .hasSize(cid.equals("tck-rep") ? 2 : 1)
                        .allSatisfy(r -> assertThat(response(r.text()).get("result").getAsInt()).isEqualTo(3));
            }
            for (long deadline : tooFar) {
                assertThat(raw.repliesFor("tck-deadline-" + deadline)).hasSize(1)
                        .allSatisfy(r -> assertError(r.text(), body, 0));
            }
        });
        // the six odd ids and the last call ran; no deadline request did
        assertThat(handlerRuns).hasValue(runsBefore + ids.size() + 1);
        for (long deadline : expired) {
            assertThat(raw.repliesFor("tck-deadline-" + deadline)).isEmpty();
        }
    }

    private static void assertError(String reply, byte[] input, long seed) {
        String shown = new String(input, 0, Math.min(input.length, 120), StandardCharsets.UTF_8);
        JsonElement parsed = JsonParser.parseString(reply);
        List<JsonObject> responses = new ArrayList<>();
        if (parsed.isJsonArray()) {
            parsed.getAsJsonArray().forEach(e -> responses.add(e.getAsJsonObject()));
        } else {
            responses.add(parsed.getAsJsonObject());
        }
        assertThat(responses).as("reply to %s (seed %d)", shown, seed).isNotEmpty();
        for (JsonObject r : responses) {
            assertThat(r.has("error")).as("reply %s to %s (seed %d)", reply, shown, seed).isTrue();
            int code = r.getAsJsonObject("error").get("code").getAsInt();
            assertThat(code).as("error code in %s (seed %d)", reply, seed).isBetween(-32768, -32000);
        }
    }

    /** One input of the corpus: the kind cycles with {@code i}, the content comes from {@code random}. */
    byte[] hostileBody(Random random, int i) {
        return switch (i % 12) {
            case 0 -> randomBytes(random, random.nextInt(2048));
            case 1 -> invalidUtf8(random);
            case 2 -> ("[".repeat(1 + random.nextInt(50_000))).getBytes(StandardCharsets.UTF_8);
            case 3 -> nested(random, 100 + random.nextInt(5_000));
            case 4 -> ("{\"jsonrpc\":\"2.0\",\"method\":\"nosuch\",\"params\":[" + hugeNumber(random) + "],\"id\":"
                    + hugeNumber(random) + "}").getBytes(StandardCharsets.UTF_8);
            case 5 -> ("{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"params\":[\"" + "A".repeat(maxString(random))
                    + "\"],\"id\":5}").getBytes(StandardCharsets.UTF_8);
            case 6 -> notJsonRpc(random).getBytes(StandardCharsets.UTF_8);
            case 7 -> mutate(random, "{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"params\":[1],\"id\":1}");
            case 8 -> ("{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"params\":[1e400],\"id\":8}")
                    .getBytes(StandardCharsets.UTF_8);
            case 9 -> ("{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"params\":[1],\"id\":1,\"id\":2,\"method\":\"x\"}")
                    .getBytes(StandardCharsets.UTF_8);
            case 10 -> ("[" + "1,".repeat(random.nextInt(3000)) + "1]").getBytes(StandardCharsets.UTF_8);
            default -> new byte[0];
        };
    }

    private int maxString(Random random) {
        return Math.max(16, Math.min(maxMessageBytes() / 2, 256 * 1024) - random.nextInt(1024));
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] invalidUtf8(Random random) {
        byte[][] bad = {{(byte) 0xC3, (byte) 0x28}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x28,
                (byte) 0x8C, (byte) 0x28}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xC0,
                (byte) 0xAF}};
        byte[] pick = bad[random.nextInt(bad.length)];
        byte[] head = "{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"params\":[\"".getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\"],\"id\":2}".getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + pick.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(pick, 0, out, head.length, pick.length);
        System.arraycopy(tail, 0, out, head.length + pick.length, tail.length);
        return out;
    }

    private static byte[] nested(Random random, int depth) {
        StringBuilder s = new StringBuilder("{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"params\":[");
        for (int d = 0; d < depth; d++) {
            s.append(random.nextBoolean() ? "[" : "{\"k\":");
        }
        return s.append("1").toString().getBytes(StandardCharsets.UTF_8); // left open: deep and unterminated
    }

    private static String hugeNumber(Random random) {
        StringBuilder s = new StringBuilder(random.nextBoolean() ? "-" : "");
        s.append(1 + random.nextInt(9));
        int digits = 300 + random.nextInt(5000);
        for (int d = 0; d < digits; d++) {
            s.append(random.nextInt(10));
        }
        if (random.nextBoolean()) {
            s.append("e").append(random.nextInt(100_000));
        }
        return s.toString();
    }

    private static String notJsonRpc(Random random) {
        String[] cases = {"null", "true", "42", "\"text\"", "{}", "[]", "[[]]", "{\"jsonrpc\":\"3.0\"}",
                "{\"jsonrpc\":\"2.0\",\"method\":null,\"id\":1}", "{\"jsonrpc\":\"2.0\",\"method\":[],\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"params\":\"1\",\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"id\":{\"a\":1}}", "[1,2,3]",
                "{\"jsonrpc\":\"2.0\",\"method\":\"rpc.hit\",\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"getClass\",\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"params\":[\"one\"],\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"params\":[1.5],\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"params\":[30000000000],\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"hit\",\"params\":{\"nope\":1},\"id\":1}"};
        return cases[random.nextInt(cases.length)];
    }

    /** A valid request with a few bytes flipped, dropped or duplicated (always broken: the closing brace goes). */
    private static byte[] mutate(Random random, String valid) {
        StringBuilder s = new StringBuilder(valid.substring(0, valid.length() - 1));
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && s.length() > 1; e++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(3)) {
                case 0 -> s.setCharAt(at, (char) (32 + random.nextInt(95)));
                case 1 -> s.deleteCharAt(at);
                default -> s.insert(at, s.charAt(at));
            }
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }
}
