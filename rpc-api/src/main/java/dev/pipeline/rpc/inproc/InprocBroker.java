package dev.pipeline.rpc.inproc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A named in-process broker: per-service request queues, and the connected clients by id (reply routing). Brokers
 * are JVM-wide and live as long as the JVM; each is small when idle.
 */
final class InprocBroker {
    private static final Logger LOG = LoggerFactory.getLogger(InprocBroker.class);
    private static final ConcurrentMap<String, InprocBroker> BROKERS = new ConcurrentHashMap<>();

    private final String name;
    private final ConcurrentMap<String, ServiceQueue> services = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, InprocClientChannel> clients = new ConcurrentHashMap<>();

    private InprocBroker(String name) {
        this.name = name;
    }

    static InprocBroker named(String name) {
        return BROKERS.computeIfAbsent(name, InprocBroker::new);
    }

    String name() {
        return name;
    }

    ServiceQueue service(String service) {
        return services.computeIfAbsent(service, s -> new ServiceQueue(this, s));
    }

    void register(String clientId, InprocClientChannel channel) {
        InprocClientChannel previous = clients.putIfAbsent(clientId, channel);
        if (previous != null) {
            throw new IllegalStateException("a client with id '" + clientId + "' is already connected to inproc:"
                    + name);
        }
    }

    void unregister(String clientId, InprocClientChannel channel) {
        clients.remove(clientId, channel);
    }

    /** Routes a reply to the client it is addressed to; a reply for a client that is gone is dropped. */
    void reply(String clientId, String correlationId, byte[] body) {
        InprocClientChannel client = clients.get(clientId);
        if (client == null) {
            LOG.debug("inproc:{} dropped a reply to client {} (not connected)", name, clientId);
            return;
        }
        client.deliver(correlationId, body);
    }

    @Override
    public String toString() {
        return "inproc:" + name;
    }
}
