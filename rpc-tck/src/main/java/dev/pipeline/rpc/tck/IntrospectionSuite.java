package dev.pipeline.rpc.tck;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.Introspect;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;
import dev.pipeline.rpc.RpcServer;
import dev.pipeline.rpc.spi.ServerMember;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The built-in methods every server answers without user code, called through the transport under test:
 * {@code rpc.ping}, {@code rpc.discover} (an OpenRPC document of the service) and {@code rpc.stats}.
 *
 * <p>A transport module runs it with one class:
 * <pre>{@code
 * class KafkaIntrospectionTest extends IntrospectionSuite {
 *     @Override protected TransportFixture fixture() { return new KafkaTckFixture(); }
 * }
 * }</pre>
 */
public abstract class IntrospectionSuite extends TckBase {
    private String svc;
    private RpcClient client;

    @Override
    void setUpClass() {
        svc = uniqueService("intro");
        RpcServer server = server();
        server.expose(svc, TckApi.class, new TckApiImpl());
        server.start();
        client = client();
    }

    /** Checks: rpc.ping answers the instance id, the library version and the uptime. */
    @Test
    @DisplayName("rpc.ping answers the instance id, the library version and the uptime")
    public void ping() {
        JsonObject ping = Introspect.ping(client, svc);
        assertThat(ping.get("service").getAsString()).isEqualTo(svc);
        assertThat(ping.get("instance").getAsString()).isNotBlank();
        assertThat(ping.get("version").getAsString()).isNotBlank().isNotEqualTo("unknown");
        assertThat(ping.get("uptimeMs").getAsLong()).isNotNegative();
        assertThat(Introspect.ping(client, svc).get("instance")).as("the same single instance")
                .isEqualTo(ping.get("instance"));
    }

    /** Checks: rpc.discover answers an OpenRPC document of the service's methods, params and results. */
    @Test
    @DisplayName("rpc.discover answers an OpenRPC document of the service's methods, params and results")
    public void discover() {
        JsonObject doc = Introspect.discover(client, svc);
        assertThat(doc.get("openrpc").getAsString()).isEqualTo("1.3.2");
        assertThat(doc.getAsJsonObject("info").get("title").getAsString()).isEqualTo(svc);
        List<String> names = new ArrayList<>();
        JsonObject add = null;
        JsonObject move = null;
        for (JsonElement e : doc.getAsJsonArray("methods")) {
            JsonObject m = e.getAsJsonObject();
            String name = m.get("name").getAsString();
            names.add(name);
            add = name.equals("add") ? m : add;
            move = name.equals("move") ? m : move;
        }
        assertThat(names).contains("add", "subtract", "echo", "move", "addAsync", "record", "fail")
                .noneMatch(n -> n.startsWith("rpc."));
        assertThat(add).isNotNull();
        assertThat(add.getAsJsonArray("params").get(0).getAsJsonObject().get("name").getAsString()).isEqualTo("a");
        assertThat(add.getAsJsonObject("result").getAsJsonObject("schema").get("type").getAsString())
                .isEqualTo("integer");
        assertThat(move).isNotNull();
        String ref = move.getAsJsonObject("result").getAsJsonObject("schema").get("$ref").getAsString();
        assertThat(ref).isEqualTo("#/components/schemas/Point");
        JsonObject point = doc.getAsJsonObject("components").getAsJsonObject("schemas").getAsJsonObject("Point");
        assertThat(point.getAsJsonObject("properties").keySet()).containsExactly("x", "y");
    }

    /** Checks: rpc.stats counts the calls and errors of each method, with latency percentiles. */
    @Test
    @DisplayName("rpc.stats counts the calls and errors of each method, with latency percentiles")
    public void stats() {
        String before = Introspect.ping(client, svc).get("instance").getAsString();
        long calls = methodStats("subtract").get("calls").getAsLong();
        long errors = methodStats("fail").get("errors").getAsLong();
        for (int i = 0; i < 5; i++) {
            assertThat(client.call(svc, "subtract", int.class, 10, i)).isEqualTo(10 - i);
        }
        assertThatThrownBy(() -> client.call(svc, "fail", String.class, "intro"))
                .isInstanceOf(RpcException.class);
        JsonObject stats = Introspect.stats(client, svc);
        assertThat(stats.get("instance").getAsString()).isEqualTo(before);
        assertThat(stats.get("inFlight").getAsInt()).isGreaterThanOrEqualTo(1);
        JsonObject subtract = stats.getAsJsonObject("methods").getAsJsonObject("subtract");
        assertThat(subtract.get("calls").getAsLong()).isEqualTo(calls + 5);
        assertThat(stats.getAsJsonObject("methods").getAsJsonObject("fail").get("errors").getAsLong())
                .isEqualTo(errors + 1);
        JsonObject latency = subtract.getAsJsonObject("latencyMs");
        assertThat(latency.get("p50").getAsDouble()).isLessThanOrEqualTo(latency.get("max").getAsDouble());
        LOG.info("rpc.stats of {}: subtract {}", svc, subtract);
    }

    /** Checks: other rpc. names are answered -32601 Method not found. */
    @Test
    @DisplayName("other rpc. names are answered -32601 Method not found")
    public void otherReservedNamesAreUnknown() {
        assertThatThrownBy(() -> client.call(svc, "rpc.describe", Object.class))
                .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCodes.METHOD_NOT_FOUND));
    }

    /** Checks: Introspect.members lists every server instance the broker knows, and drops one that closed. */
    @Test
    @DisplayName("Introspect.members lists every server instance the broker knows, and drops one that closed")
    public void membersListEveryInstance() {
        String two = uniqueService("members");
        try {
            assertThat(Introspect.members(client, two)).as("never served").isEmpty();
        } catch (UnsupportedOperationException e) {
            LOG.info("{} cannot list instances: {}", fixture, e.getMessage());
            return;
        }
        RpcServer first = server();
        first.expose(two, TckApi.class, new TckApiImpl());
        first.start();
        RpcServer second = server();
        second.expose(two, TckApi.class, new TckApiImpl());
        second.start();
        // Redis lists a consumer once it has read a message: calls reach both servers in turn
        await().untilAsserted(() -> {
            assertThat(client.call(two, "add", int.class, 1, 2)).isEqualTo(3);
            assertThat(Introspect.members(client, two)).hasSize(2);
        });
        List<ServerMember> both = Introspect.members(client, two);
        assertThat(both).extracting(ServerMember::name).doesNotHaveDuplicates().allMatch(n -> !n.isBlank());
        LOG.info("members of {}: {}", two, both);
        second.close();
        await().untilAsserted(() -> assertThat(Introspect.members(client, two)).hasSize(1));
    }

    private JsonObject methodStats(String method) {
        return Introspect.stats(client, svc).getAsJsonObject("methods").getAsJsonObject(method);
    }
}
