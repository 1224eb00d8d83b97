package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.Reachability;
import io.lettuce.core.RedisCommandExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Answers {@link dev.pipeline.rpc.spi.ClientChannel#noServer} on Redis: one {@code XINFO GROUPS} on the service's
 * request stream. Every server instance creates the service's group when it starts, and the group outlives its
 * consumers, so a group means served (its servers may be restarting, its pending entries waiting). The stream is no
 * signal: a client's {@code XADD} creates it.
 *
 * <p>Never served: no such stream, or a stream without the service's group. Cannot tell, so the call is sent: a
 * refused command (the client's ACLs), any other error.
 */
final class ServerGroups {
    private static final Logger log = LoggerFactory.getLogger(ServerGroups.class);

    private ServerGroups() {
    }

    static CompletableFuture<Optional<String>> noServer(RedisTransport transport, String service) {
        String stream = transport.requestStream(service);
        String group = transport.group(service);
        CompletableFuture<Optional<String>> out = new CompletableFuture<>();
        transport.commands.get().whenComplete((c, connectError) -> {
            if (connectError != null) {
                out.complete(Optional.empty());
                return;
            }
            try {
                c.async().xinfoGroups(stream).whenComplete((groups, err) -> {
                    if (err != null) {
                        Throwable cause = Connector.unwrap(err);
                        String m = cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(Locale.ROOT);
                        if (cause instanceof RedisCommandExecutionException && m.contains("no such key")) {
                            out.complete(Optional.of(Reachability.noServer(service, transport.display,
                                    "no stream '" + stream + "'")));
                        } else {
                            log.debug("cannot tell whether stream '{}' has group '{}' (sending): {}", stream, group,
                                    cause.toString());
                            out.complete(Optional.empty());
                        }
                        return;
                    }
                    out.complete(hasGroup(groups, group) ? Optional.empty() : Optional.of(Reachability.noServer(
                            service, transport.display, "no group '" + group + "' on stream '" + stream + "'")));
                });
            } catch (RuntimeException e) {
                out.complete(Optional.empty());
            }
        });
        return out;
    }

    /** XINFO GROUPS answers one flat list of name, value pairs per group. */
    static boolean hasGroup(List<Object> groups, String group) {
        if (groups == null) {
            return false;
        }
        for (Object g : groups) {
            if (g instanceof List<?> l) {
                for (int i = 0; i + 1 < l.size(); i += 2) {
                    if ("name".equals(text(l.get(i))) && group.equals(text(l.get(i + 1)))) {
                        return true;
                    }
                }
            }
        }
        return false;
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
