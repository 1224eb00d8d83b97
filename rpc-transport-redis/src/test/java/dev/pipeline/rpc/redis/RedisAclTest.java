package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.HandlerOutcome;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.WireHeaders;
import dev.pipeline.rpc.tck.broker.RedisBroker;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The least-privilege ACLs of {@code dev/pipeline/rpc/redis/acl/server.acl} and {@code client.acl}, applied verbatim:
 * calls, notifications, dead letters, reclaiming a stale request, dead-lettering a poison one, consumer clean-up and
 * reply-stream trimming, expiry and deletion all work with no command refused and no request run twice; and
 * docs/operations.md shows the same rules.
 */
class RedisAclTest extends RedisTestSupport {
    static final String SERVER_ACL = "/dev/pipeline/rpc/redis/acl/server.acl";
    static final String CLIENT_ACL = "/dev/pipeline/rpc/redis/acl/client.acl";

    static String resource(String name) throws IOException {
        try (InputStream in = RedisAclTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    /** Splits ACL rules as redis-cli does: on spaces, a double-quoted part ({@code "(...)"}) staying one argument. */
    static List<String> rules(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char ch : text.toCharArray()) {
            if (ch == '"') {
                quoted = !quoted;
            } else if (Character.isWhitespace(ch) && !quoted) {
                if (!cur.isEmpty()) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(ch);
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString());
        }
        return out;
    }

    static void setUser(RedisCommands<String, String> admin, String user, String password, String rulesText) {
        CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(user)
                .add("on").add(">" + password);
        for (String rule : rules(rulesText)) {
            args.add(rule);
        }
        assertThat(admin.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args)).isEqualTo("OK");
    }

    @Test
    void operationsGuideShowsTheAclFilesVerbatim() throws IOException {
        String guide = Files.readString(Path.of("..", "docs", "operations.md"));
        assertThat(guide).contains(resource(SERVER_ACL)).contains(resource(CLIENT_ACL));
    }

    @Test
    void dedupStoreWorksWithTheServerAclAndTheClientAclCannotReadIt() throws Exception {
        try (RedisBroker broker = RedisBroker.startLocal(false)) {
            URI plain = broker.uri();
            RedisCommands<String, String> admin = redis(plain);
            String version = admin.info("server").lines().filter(l -> l.startsWith("redis_version:"))
                    .findFirst().orElse("redis_version:0").substring("redis_version:".length());
            org.junit.jupiter.api.Assumptions.assumeTrue(Integer.parseInt(version.split("\\.")[0]) >= 7,
                    "ACL selectors need Redis 7, this is " + version);
            setUser(admin, "rpc-server", "server-pw", resource(SERVER_ACL));
            setUser(admin, "rpc-client", "client-pw", resource(CLIENT_ACL));
            admin.aclLogReset();
            String hostPort = plain.getHost() + ":" + plain.getPort();
            byte[] value = "stored".getBytes(StandardCharsets.UTF_8);
            try (RedisDedupStore store = RedisDedupStore.open("redis://rpc-server:server-pw@" + hostPort)) {
                store.put("svc:k", value, Duration.ofSeconds(60));
                assertThat(store.get("svc:k")).isEqualTo(value);
            }
            assertThat(admin.aclLog()).as("commands refused by the ACLs").isEmpty();
            RedisClient raw = RedisClient.create("redis://rpc-client:client-pw@" + hostPort);
            try (StatefulRedisConnection<String, String> c = raw.connect()) {
                assertThatThrownBy(() -> c.sync().get("rpc:dedup:svc:k")).hasMessageContaining("NOPERM");
                assertThatThrownBy(() -> c.sync().set("rpc:dedup:svc:k", "forged")).hasMessageContaining("NOPERM");
            } finally {
                raw.shutdown();
            }
            closeOpened();
        }
    }

    @Test
    void serverAndClientWorkWithExactlyTheDocumentedAcls() throws Exception {
        try (RedisBroker broker = RedisBroker.startLocal(false)) {
            URI plain = broker.uri();
            RedisCommands<String, String> admin = redis(plain);
            String version = admin.info("server").lines().filter(l -> l.startsWith("redis_version:"))
                    .findFirst().orElse("redis_version:0").substring("redis_version:".length());
            org.junit.jupiter.api.Assumptions.assumeTrue(Integer.parseInt(version.split("\\.")[0]) >= 7,
                    "ACL selectors need Redis 7, this is " + version);
            setUser(admin, "rpc-server", "server-pw", resource(SERVER_ACL));
            setUser(admin, "rpc-client", "client-pw", resource(CLIENT_ACL));
            admin.aclLogReset();
            String hostPort = plain.getHost() + ":" + plain.getPort();
            URI serverUri = URI.create("redis://rpc-server:server-pw@" + hostPort);
            URI clientUri = URI.create("redis://rpc-client:client-pw@" + hostPort);
            RedisTransportConfig config = FAST.toBuilder().replyTtl(Duration.ofSeconds(2)).build();

            String service = uniqueService();
            String stream = "rpc:" + service;
            String clientId = "acl-" + UUID.randomUUID();
            String replyStream = "rpc:reply:" + clientId;
            // before any server runs: a request taken by a consumer that then died, and a poison request that
            // has been delivered more often than maxDeliveries
            admin.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0-0"), stream, XGroupCreateArgs.Builder.mkstream());
            admin.xadd(stream, Map.of(WireHeaders.RPC_ID, "stale", WireHeaders.REPLY_TO, replyStream,
                    WireHeaders.BODY, "old"));
            String poison = admin.xadd(stream, Map.of(WireHeaders.BODY, "poison"));
            Consumer<String> dead = Consumer.from(stream, "dead-one");
            admin.xreadgroup(dead, XReadArgs.Builder.count(2), XReadArgs.StreamOffset.lastConsumed(stream));
            for (int i = 0; i < config.maxDeliveries(); i++) {
                admin.xclaim(stream, dead, XClaimArgs.Builder.minIdleTime(0), poison);
            }

            Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
            AtomicInteger notifications = new AtomicInteger();
            Transport serverSide = transport(serverUri, config);
            server(serverSide, service, 64, r -> {
                if (r.correlationId() == null) {
                    notifications.incrementAndGet();
                    return CompletableFuture.completedFuture(HandlerOutcome.none());
                }
                executions.computeIfAbsent(r.correlationId(), k -> new AtomicInteger()).incrementAndGet();
                byte[] reply = ("re:" + new String(r.body(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                return CompletableFuture.completedFuture(r.correlationId().startsWith("dl-")
                        ? new HandlerOutcome(reply, "refused by the test") : HandlerOutcome.reply(reply));
            });

            Map<String, String> replies = replies();
            Transport clientSide = transport(clientUri, config);
            ClientChannel client = clientSide.openClient(new ClientSettings(clientId),
                    (id, body) -> replies.put(id, new String(body, StandardCharsets.UTF_8)));
            client.ready().get(10, TimeUnit.SECONDS);
            int calls = 600; // more than the 512 replies after which a client trims its reply stream
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                sent.add(client.send(service, request("call-" + i, "x" + i)));
            }
            sent.add(client.send(service, request("dl-1", "d")));
            sent.add(client.send(service, notification("n")));
            CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(30)).until(() -> replies.size() == calls + 2 && notifications.get() == 1);
            assertThat(replies).containsEntry("stale", "re:old").containsEntry("dl-1", "re:d")
                    .containsEntry("call-599", "re:x599");
            await().atMost(Duration.ofSeconds(20)).until(() -> admin.xlen(stream + ":dlq") == 2
                    && admin.xpending(stream, stream).getCount() == 0);
            List<StreamMessage<String, String>> dlq = admin.xrange(stream + ":dlq", Range.create("-", "+"));
            assertThat(dlq).extracting(m -> m.getBody().get(WireHeaders.DLQ_REASON))
                    .containsExactlyInAnyOrder("refused by the test",
                            "not acknowledged after " + (config.maxDeliveries() + 1) + " deliveries (maxDeliveries "
                                    + config.maxDeliveries() + ")");
            // the consumer that died, with nothing pending any more, is removed
            await().atMost(Duration.ofSeconds(20)).until(() -> admin.xinfoConsumers(stream, stream).size() == 1);
            // the client trimmed what it read and keeps its stream's expiry fresh
            assertThat(admin.xlen(replyStream)).isLessThan(calls);
            await().atMost(Duration.ofSeconds(10)).until(() -> admin.pttl(replyStream) > 0);

            assertThat(executions).hasSize(calls + 2);
            assertThat(executions.values()).allSatisfy(n -> assertThat(n).hasValue(1));
            assertThat(admin.aclLog()).as("commands refused by the ACLs").isEmpty();

            client.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> admin.exists(replyStream) == 0);
            assertThat(admin.aclLog()).as("commands refused by the ACLs").isEmpty();

            // the client's user can add requests, but neither read, expire, trim nor delete a service's streams
            RedisClient raw = RedisClient.create(clientUri.toString());
            try (StatefulRedisConnection<String, String> c = raw.connect()) {
                RedisCommands<String, String> as = c.sync();
                assertThatThrownBy(() -> as.pexpire(stream, 1)).hasMessageContaining("NOPERM");
                assertThatThrownBy(() -> as.del(stream + ":dlq")).hasMessageContaining("NOPERM");
                assertThatThrownBy(() -> as.xtrim(stream, 0)).hasMessageContaining("NOPERM");
                assertThatThrownBy(() -> as.xrange(stream, Range.create("-", "+"))).hasMessageContaining("NOPERM");
                assertThatThrownBy(() -> as.set("elsewhere", "x")).hasMessageContaining("NOPERM");
            } finally {
                raw.shutdown();
            }
            closeOpened();
        }
    }
}
