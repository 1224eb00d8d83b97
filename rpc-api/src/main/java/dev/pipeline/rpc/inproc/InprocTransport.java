package dev.pipeline.rpc.inproc;

import dev.pipeline.rpc.spi.Capability;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportCapabilities;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** An open connection to an in-process broker; closing it closes every channel it opened. */
final class InprocTransport implements Transport {
    /**
     * PERSISTENT holds for the life of the JVM only: requests wait in the broker until a server instance takes them.
     * No DEAD_LETTER: dead-letter reasons are logged, no copy is kept.
     */
    static final TransportCapabilities CAPABILITIES = new TransportCapabilities(EnumSet.of(Capability.PERSISTENT,
            Capability.REDELIVERY_AFTER_CRASH, Capability.LOAD_SHARING), 16 * 1024 * 1024);

    private final InprocBroker broker;
    private final Set<AutoCloseable> channels = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    InprocTransport(InprocBroker broker) {
        this.broker = broker;
    }

    @Override
    public String scheme() {
        return InprocTransportProvider.SCHEME;
    }

    @Override
    public TransportCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public ClientChannel openClient(ClientSettings settings, ReplyListener replies) {
        Objects.requireNonNull(settings, "settings");
        checkOpen();
        InprocClientChannel channel = new InprocClientChannel(this, broker, settings.clientId(), replies);
        channels.add(channel);
        return channel;
    }

    @Override
    public ServerChannel openServer(String service, ServerSettings settings, RequestHandler handler) {
        Objects.requireNonNull(service, "service");
        checkOpen();
        InprocServerChannel channel = new InprocServerChannel(this, broker.service(service), settings, handler);
        channels.add(channel);
        return channel;
    }

    void forget(AutoCloseable channel) {
        channels.remove(channel);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the transport to " + broker + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<AutoCloseable> open = new ArrayList<>(channels);
        for (AutoCloseable channel : open) {
            try {
                channel.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(InprocTransport.class).warn("closing a channel of {} failed: {}",
                        broker, e.toString());
            }
        }
        channels.clear();
    }

    @Override
    public String toString() {
        return broker.toString();
    }
}
