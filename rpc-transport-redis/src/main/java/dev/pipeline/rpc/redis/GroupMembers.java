package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.ServerMember;
import io.lettuce.core.RedisCommandExecutionException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Answers {@link dev.pipeline.rpc.spi.ClientChannel#members} on Redis: one {@code XINFO CONSUMERS} of the service's
 * group. A server deletes its consumer when it closes; one that crashed stays listed, its idle time growing, until a
 * live server's cleanup deletes it.
 */
final class GroupMembers {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GroupMembers.class);
    private GroupMembers() {
    }

    static CompletableFuture<List<ServerMember>> members(RedisTransport transport, String service) {
        String stream = transport.requestStream(service);
        String group = transport.group(service);
        CompletableFuture<List<ServerMember>> out = new CompletableFuture<>();
        transport.commands.get().whenComplete((c, connectError) -> {
            if (connectError != null) {
                out.completeExceptionally(Connector.unwrap(connectError));
                return;
            }
            try {
                c.async().xinfoConsumers(stream, group).whenComplete((consumers, err) -> {
                    if (err != null) {
                        Throwable cause = Connector.unwrap(err);
                        String m = cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(Locale.ROOT);
                        if (cause instanceof RedisCommandExecutionException
                                && (m.contains("no such key") || m.contains("nogroup"))) {
                            out.complete(List.of()); // never served
                        } else {
                            out.completeExceptionally(cause);
                        }
                        return;
                    }
                    log.debug("XINFO CONSUMERS {} {}: {}", stream, group, consumers);
                    out.complete(parse(consumers));
                });
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    /** XINFO CONSUMERS answers one flat list of name, value pairs per consumer. */
    static List<ServerMember> parse(List<Object> consumers) {
        List<ServerMember> members = new ArrayList<>();
        if (consumers != null) {
            for (Object element : consumers) {
                Object consumer = element;
                if (consumer instanceof java.util.Map<?, ?> map) { // RESP3
                    List<Object> flat = new ArrayList<>();
                    map.forEach((k, v) -> {
                        flat.add(k);
                        flat.add(v);
                    });
                    consumer = flat;
                }
                if (consumer instanceof List<?> l) {
                    String name = null;
                    long idle = -1;
                    for (int i = 0; i + 1 < l.size(); i += 2) {
                        String key = text(l.get(i));
                        if ("name".equals(key)) {
                            name = text(l.get(i + 1));
                        } else if ("idle".equals(key) && l.get(i + 1) instanceof Number n) {
                            idle = Math.max(0, n.longValue());
                        }
                    }
                    if (name != null) {
                        members.add(new ServerMember(name, "", idle));
                    }
                }
            }
        }
        members.sort(Comparator.comparing(ServerMember::name));
        return List.copyOf(members);
    }

    private static String text(Object o) {
        if (o instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (o instanceof ByteBuffer bb) {
            return StandardCharsets.UTF_8.decode(bb.duplicate()).toString();
        }
        return String.valueOf(o);
    }
}
