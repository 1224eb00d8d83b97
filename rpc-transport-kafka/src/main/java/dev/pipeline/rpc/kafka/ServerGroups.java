package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.Reachability;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Answers {@link dev.pipeline.rpc.spi.ClientChannel#noServer} on Kafka: one {@code DescribeGroups} of the service's
 * consumer group ({@link KafkaTransportConfig#group}), which every server instance joins. The request topic is no
 * signal: a client creates it itself when {@code autoCreateTopics} is on.
 *
 * <p>Never served: the group does not exist ({@code GroupIdNotFound}, or state {@code DEAD} without members).
 * Served: any other state, {@code EMPTY} included (its servers are gone but it keeps their committed offsets: a
 * restart). Cannot tell, so the call is sent: a refused {@code Describe} (the client's ACLs), a timeout, any error.
 */
final class ServerGroups {
    private static final Logger log = LoggerFactory.getLogger(ServerGroups.class);
    /** The describe's own bound; past it the call is sent as if the group existed. */
    static final int DESCRIBE_TIMEOUT_MILLIS = 2_000;

    private ServerGroups() {
    }

    static CompletableFuture<Optional<String>> noServer(KafkaTransport transport, String service) {
        KafkaTransportConfig config = transport.config();
        String group = config.group(service);
        CompletableFuture<Optional<String>> out = new CompletableFuture<>();
        try {
            transport.admin().describeConsumerGroups(List.of(group),
                            new DescribeConsumerGroupsOptions().timeoutMs(DESCRIBE_TIMEOUT_MILLIS))
                    .describedGroups().get(group)
                    .whenComplete((d, e) -> out.complete(answer(config, service, group, d, e)));
        } catch (RuntimeException e) {
            out.complete(answer(config, service, group, null, e));
        }
        return out;
    }

    static Optional<String> answer(KafkaTransportConfig config, String service, String group,
                                   ConsumerGroupDescription d, Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        String where = "kafka://" + config.bootstrapServers();
        if (e instanceof GroupIdNotFoundException) {
            return Optional.of(Reachability.noServer(service, where, "no consumer group '" + group + "'"));
        }
        if (e != null) {
            log.debug("cannot tell whether consumer group '{}' exists (sending): {}", group, e.toString());
            return Optional.empty();
        }
        if (d != null && d.groupState() == GroupState.DEAD && d.members().isEmpty()) {
            return Optional.of(Reachability.noServer(service, where, "no consumer group '" + group + "'"));
        }
        return Optional.empty();
    }
}
