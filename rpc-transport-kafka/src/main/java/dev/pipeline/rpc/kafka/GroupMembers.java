package dev.pipeline.rpc.kafka;

import dev.pipeline.rpc.spi.ServerMember;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Answers {@link dev.pipeline.rpc.spi.ClientChannel#members} on Kafka: one {@code DescribeGroups} of the service's
 * consumer group; each member is a server instance polling the request topic (the coordinator drops one that stops
 * polling, after the consumer's session timeout).
 */
final class GroupMembers {
    private GroupMembers() {
    }

    static CompletableFuture<List<ServerMember>> members(KafkaTransport transport, String service) {
        String group = transport.config().group(service);
        CompletableFuture<List<ServerMember>> out = new CompletableFuture<>();
        try {
            transport.admin().describeConsumerGroups(List.of(group),
                            new DescribeConsumerGroupsOptions().timeoutMs(ServerGroups.DESCRIBE_TIMEOUT_MILLIS))
                    .describedGroups().get(group)
                    .whenComplete((d, e) -> {
                        Throwable cause = e;
                        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                                && cause.getCause() != null) {
                            cause = cause.getCause();
                        }
                        if (cause instanceof GroupIdNotFoundException) {
                            out.complete(List.of());
                        } else if (cause != null) {
                            out.completeExceptionally(cause);
                        } else {
                            List<ServerMember> members = new ArrayList<>();
                            for (MemberDescription m : d.members()) {
                                String host = m.host() == null ? "" : m.host().replaceFirst("^/", "");
                                members.add(new ServerMember(m.consumerId(), host, -1));
                            }
                            members.sort(Comparator.comparing(ServerMember::name));
                            out.complete(List.copyOf(members));
                        }
                    });
        } catch (RuntimeException e) {
            out.completeExceptionally(e);
        }
        return out;
    }
}
