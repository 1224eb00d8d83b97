package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.WireHeaders;
import io.lettuce.core.Consumer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A request's {@code rpc-reply-to} is written to only when it names a reply stream ({@code rpc:reply:<client>}) that
 * is a stream or absent; any other address is dead-lettered with reason "invalid reply address", and a reply that
 * cannot be written is retried as a write and then dead-lettered, never executed again. Each refused address is
 * counted, as is each reply that matches no pending call, with no address or id in a metric tag.
 */
class RedisReplyAddressTest extends RedisTestSupport {

    /** What a key looked like: TYPE, PTTL and its contents. */
    private record Snapshot(String type, long pttl, Object contents) {
    }

    private static Snapshot snapshot(RedisCommands<String, String> r, String key) {
        String type = r.type(key);
        Object contents = switch (type) {
            case "string" -> r.get(key);
            case "hash" -> r.hgetall(key);
            case "stream" -> r.xrange(key, Range.create("-", "+")).stream()
                    .map(m -> m.getId() + "=" + m.getBody()).toList();
            default -> null;
        };
        long pttl = r.pttl(key);
        // a TTL counts down: keep -1 / -2 as they are, and tell a long one (> 2 min) from one a reply would set
        return new Snapshot(type, pttl < 0 ? pttl : pttl > 120_000 ? -100 : -200, contents);
    }

    private static Map<String, String> raw(String id, String replyTo, String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(WireHeaders.RPC_ID, id);
        fields.put(WireHeaders.REPLY_TO, replyTo);
        fields.put(WireHeaders.BODY, body);
        return fields;
    }

    @Test
    void repliesGoOnlyToReplyStreamsAndNoOtherKeyIsTouched() throws Exception {
        RedisCommands<String, String> r = redis();
        String service = uniqueService();
        String other = uniqueService();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        // another service's request stream with a group and a pending entry, and its dead letters
        String otherStream = "rpc:" + other;
        r.xadd(otherStream, Map.of("body", "theirs"));
        r.xgroupCreate(XReadArgs.StreamOffset.from(otherStream, "0-0"), otherStream);
        r.xreadgroup(Consumer.from(otherStream, "them"), XReadArgs.StreamOffset.lastConsumed(otherStream));
        r.xadd(otherStream, Map.of("body", "theirs too"));
        String otherDlq = "rpc:" + other + ":dlq";
        r.xadd(otherDlq, Map.of("body", "dead", WireHeaders.DLQ_REASON, "theirs"));
        String outsideString = "victim:string:" + tag;
        r.set(outsideString, "keep");
        String outsideHash = "victim:hash:" + tag;
        r.hset(outsideHash, Map.of("a", "1", "b", "2"));
        String insideString = "rpc:reply:str-" + tag;
        r.set(insideString, "keep too");
        String insideHash = "rpc:reply:hash-" + tag;
        r.hset(insideHash, Map.of("c", "3"));
        r.pexpire(insideHash, 600_000);
        String absentOutside = "victim:absent:" + tag;
        String inNamespaceButMalformed = "rpc:reply:x y";
        List<String> keys = List.of(otherStream, otherDlq, outsideString, outsideHash, insideString, insideHash,
                absentOutside, inNamespaceButMalformed);
        Map<String, Snapshot> before = new LinkedHashMap<>();
        for (String k : keys) {
            before.put(k, snapshot(r, k));
        }

        Transport t = transport(FAST);
        Set<String> ran = ConcurrentHashMap.newKeySet();
        RequestHandler echo = echo("re:");
        server(t, service, 16, req -> {
            ran.add(req.correlationId());
            return echo.handle(req);
        });
        Map<String, String> replies = replies();
        ClientChannel client = client(t, replies);
        client.ready().get(10, TimeUnit.SECONDS);

        String stream = "rpc:" + service;
        Map<String, String> idToKey = new LinkedHashMap<>();
        for (String k : keys) {
            String id = "bad-" + idToKey.size();
            idToKey.put(id, k);
            r.xadd(stream, raw(id, k, "x"));
        }
        client.send(service, request("good", "y")).get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20)).until(() -> replies.containsKey("good")
                && r.xlen("rpc:" + service + ":dlq") >= keys.size() && r.xpending(stream, stream).getCount() == 0);
        assertThat(replies).containsEntry("good", "re:y");
        List<StreamMessage<String, String>> dead = r.xrange("rpc:" + service + ":dlq", Range.create("-", "+"));
        assertThat(dead).hasSize(keys.size());
        for (StreamMessage<String, String> d : dead) {
            assertThat(d.getBody()).containsEntry(WireHeaders.DLQ_REASON, RedisServerChannel.INVALID_REPLY_ADDRESS);
            assertThat(idToKey).containsKey(d.getBody().get(WireHeaders.RPC_ID));
        }
        for (String k : keys) {
            assertThat(snapshot(r, k)).as(k).isEqualTo(before.get(k));
        }
        // outside the namespace (or malformed): refused before the handler; inside, the type is seen at reply time
        assertThat(ran).containsExactlyInAnyOrder("good", "bad-4", "bad-5");

        // the server keeps serving
        for (int i = 0; i < 20; i++) {
            client.send(service, request("after-" + i, "z" + i)).get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> replies.size() == 21);
        assertThat(replies).containsEntry("after-19", "re:z19");
    }

    @Test
    void refusedReplyAddressesAndRepliesMatchingNoCallAreCountedWithoutTheAddressInAnyTag() throws Exception {
        RedisCommands<String, String> r = redis();
        String service = uniqueService();
        String clientId = "metric-" + UUID.randomUUID();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String uri = brokerUri().toString();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // three reply addresses the server refuses: another service's stream and a key outside the namespace
        // (before dispatch), and a key in the reply namespace that is not a stream (when the reply is written)
        String inNamespaceString = "rpc:reply:str-" + tag;
        r.set(inNamespaceString, "keep");
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("outside", "rpc:" + uniqueService());
        refused.put("foreign", "victim:key:" + tag);
        refused.put("not-a-stream", inNamespaceString);
        List<String> guesses = List.of("1", "2", UUID.randomUUID().toString());
        Set<String> ran = ConcurrentHashMap.newKeySet();
        try (dev.pipeline.rpc.RpcServer server = dev.pipeline.rpc.Rpc.server(uri, dev.pipeline.rpc.ServerConfig
                .builder().metrics(new dev.pipeline.rpc.MicrometerRpcMetrics(registry)).build());
             dev.pipeline.rpc.RpcClient client = dev.pipeline.rpc.Rpc.client(uri, dev.pipeline.rpc.ClientConfig
                     .builder().clientId(clientId).metrics(new dev.pipeline.rpc.MicrometerRpcMetrics(registry))
                     .build())) {
            server.handle(service, "echo", params -> {
                String s = params.get(0, String.class);
                ran.add(s);
                return s;
            });
            server.start();
            assertThat(client.call(service, "echo", String.class, "warm")).isEqualTo("warm");
            for (Map.Entry<String, String> b : refused.entrySet()) {
                r.xadd("rpc:" + service, raw("refused-" + b.getKey(), b.getValue(),
                        "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"" + b.getKey() + "\"],\"id\":1}"));
            }
            // replies forged onto the client's reply stream with guessed correlation ids
            for (String guess : guesses) {
                r.xadd("rpc:reply:" + clientId, Map.of(WireHeaders.RPC_ID, guess,
                        WireHeaders.BODY, "{\"jsonrpc\":\"2.0\",\"id\":\"" + guess + "\",\"result\":\"forged\"}"));
            }
            assertThat(client.call(service, "echo", String.class, "after")).isEqualTo("after");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(count(registry, dev.pipeline.rpc.MicrometerRpcMetrics.SERVER_REFUSED_REPLY_ADDRESSES,
                        "service", service, "transport", "redis")).isEqualTo(3);
                assertThat(count(registry, dev.pipeline.rpc.MicrometerRpcMetrics.CLIENT_LATE_REPLIES,
                        "transport", "redis")).isEqualTo(3);
            });
            assertThat(ran).doesNotContain("outside", "foreign").contains("not-a-stream");
            assertThat(r.get(inNamespaceString)).isEqualTo("keep");
        }
        List<String> secrets = new java.util.ArrayList<>(refused.values());
        secrets.add(guesses.get(2));
        for (io.micrometer.core.instrument.Meter m : registry.getMeters()) {
            for (io.micrometer.core.instrument.Tag t : m.getId().getTags()) {
                assertThat(secrets).as("tag %s of %s", t, m.getId().getName())
                        .noneMatch(a -> t.getValue().contains(a));
            }
        }
        assertThat(registry.get(dev.pipeline.rpc.MicrometerRpcMetrics.SERVER_REFUSED_REPLY_ADDRESSES).counter()
                .getId().getTags()).extracting(io.micrometer.core.instrument.Tag::getKey)
                .containsExactlyInAnyOrder("service", "transport");
    }

    /** @return the count of the counter with these tags, 0 while it does not exist */
    private static double count(SimpleMeterRegistry registry, String name, String... tags) {
        io.micrometer.core.instrument.Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aReplyThatCannotBeWrittenRunsTheHandlerOnceAndIsDeadLettered() throws Exception {
        RedisCommands<String, String> r = redis();
        String service = uniqueService();
        // a reply stream that refuses every XADD *: its last id is the largest there is
        String full = "rpc:reply:full-" + UUID.randomUUID();
        r.xadd(full, new io.lettuce.core.XAddArgs().id("18446744073709551615-18446744073709551615"),
                Map.of("f", "v"));
        Transport t = transport(FAST);
        AtomicInteger executions = new AtomicInteger();
        server(t, service, 4, req -> {
            if ("doomed".equals(req.correlationId())) {
                executions.incrementAndGet();
            }
            return CompletableFuture.completedFuture(HandlerOutcome.reply("done".getBytes(StandardCharsets.UTF_8)));
        });
        String stream = "rpc:" + service;
        r.xadd(stream, raw("doomed", full, "x"));

        await().atMost(Duration.ofSeconds(30)).until(() -> r.xlen(stream + ":dlq") >= 1
                && r.xpending(stream, stream).getCount() == 0);
        List<StreamMessage<String, String>> dead = r.xrange(stream + ":dlq", Range.create("-", "+"));
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).getBody().get(WireHeaders.DLQ_REASON)).startsWith("reply could not be written: ");
        assertThat(executions).hasValue(1);
        assertThat(r.xlen(full)).isEqualTo(1);

        // a normal call afterwards is answered, and the doomed request did not come back
        Map<String, String> replies = replies();
        ClientChannel client = client(t, replies);
        client.ready().get(10, TimeUnit.SECONDS);
        client.send(service, request("ok", "y")).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> replies.containsKey("ok"));
        assertThat(executions).hasValue(1);
        assertThat(r.xlen(stream + ":dlq")).isEqualTo(1);
    }

    @Test
    void aReplyRedisRefusesForWantOfMemoryRunsTheHandlerOnceAndIsAcknowledged() throws Exception {
        try (dev.pipeline.rpc.tck.broker.RedisBroker broker = dev.pipeline.rpc.tck.broker.RedisBroker.startLocal(false)) {
            java.net.URI uri = broker.uri();
            RedisCommands<String, String> admin = redis(uri);
            String service = uniqueService();
            String stream = "rpc:" + service;
            Transport t = transport(uri, FAST);
            AtomicInteger executions = new AtomicInteger();
            CompletableFuture<Void> started = new CompletableFuture<>();
            CompletableFuture<Void> release = new CompletableFuture<>();
            server(t, service, 4, req -> {
                if (!"starved".equals(req.correlationId())) {
                    return echo("").handle(req);
                }
                executions.incrementAndGet();
                started.complete(null);
                return release.thenApply(v -> HandlerOutcome.reply("r".getBytes(StandardCharsets.UTF_8)));
            });
            admin.xadd(stream, raw("starved", "rpc:reply:oom-1", "x"));
            started.get(20, TimeUnit.SECONDS);
            // Redis out of memory while the handler runs: every XADD (the reply, the dead letter) is refused
            admin.configSet("maxmemory-policy", "noeviction");
            admin.configSet("maxmemory", "1");
            release.complete(null);

            await().atMost(Duration.ofSeconds(30)).until(() -> admin.xpending(stream, stream).getCount() == 0);
            assertThat(executions).hasValue(1);
            assertThat(admin.exists("rpc:reply:oom-1")).isZero();

            admin.configSet("maxmemory", "0");
            Map<String, String> replies = replies();
            ClientChannel client = client(t, replies);
            client.ready().get(10, TimeUnit.SECONDS);
            client.send(service, request("ok", "y")).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> replies.containsKey("ok"));
            assertThat(executions).as("runs of the request whose reply Redis refused").hasValue(1);
            closeOpened();
        }
    }

    @Test
    void aReplyStreamTheServersAclRefusesRunsTheHandlerOnceAndIsDeadLettered() throws Exception {
        try (dev.pipeline.rpc.tck.broker.RedisBroker broker = dev.pipeline.rpc.tck.broker.RedisBroker.startLocal(false)) {
            java.net.URI plain = broker.uri();
            RedisCommands<String, String> admin = redis(plain);
            String service = uniqueService();
            String stream = "rpc:" + service;
            // the server's user may write its own streams and the reply streams of clients named ok-*, no others
            String rules = RedisAclTest.resource(RedisAclTest.SERVER_ACL)
                    .replace("~rpc:*", "~" + stream + " ~" + stream + ":dlq ~rpc:reply:ok-*");
            RedisAclTest.setUser(admin, "narrow", "pw", rules);
            Transport t = transport(java.net.URI.create("redis://narrow:pw@" + plain.getHost() + ":"
                    + plain.getPort()), FAST);
            AtomicInteger executions = new AtomicInteger();
            server(t, service, 4, req -> {
                if ("refused".equals(req.correlationId())) {
                    executions.incrementAndGet();
                }
                return CompletableFuture.completedFuture(HandlerOutcome.reply("r".getBytes(StandardCharsets.UTF_8)));
            });
            admin.xadd(stream, raw("refused", "rpc:reply:someone-else", "x"));
            admin.xadd(stream, raw("allowed", "rpc:reply:ok-1", "x"));

            await().atMost(Duration.ofSeconds(30)).until(() -> admin.xlen(stream + ":dlq") >= 1
                    && admin.xpending(stream, stream).getCount() == 0);
            List<StreamMessage<String, String>> dead = admin.xrange(stream + ":dlq", Range.create("-", "+"));
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).getBody()).containsEntry(WireHeaders.RPC_ID, "refused");
            assertThat(dead.get(0).getBody().get(WireHeaders.DLQ_REASON))
                    .startsWith("reply could not be written: ").contains("NOPERM");
            assertThat(executions).hasValue(1);
            assertThat(admin.exists("rpc:reply:someone-else")).isZero();
            assertThat(admin.xlen("rpc:reply:ok-1")).isEqualTo(1);
            closeOpened();
        }
    }

    @Test
    void serviceNamesInTheReplyNamespaceAreRefused() {
        Transport t = transport(FAST);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.openServer("reply:x",
                        new dev.pipeline.rpc.spi.ServerSettings(1, Duration.ofSeconds(1)), echo("")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reply:");
        ClientChannel client = client(t, replies());
        org.assertj.core.api.Assertions.assertThat(client.send("reply:c-1", request("f", "forged")))
                .failsWithin(Duration.ofSeconds(5));
    }
}
