package dev.pipeline.rpc;

import dev.pipeline.rpc.spi.Capability;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportCapabilities;

import java.time.Duration;
import java.util.Set;

/**
 * The server's side of a transport, reduced to handing the test the core's request handler: the test calls
 * {@link #handler} itself with the requests it builds. Declares the capabilities it is given.
 */
final class CapturingTransport implements Transport {
    private final Set<Capability> capabilities;
    volatile RequestHandler handler;

    CapturingTransport(Set<Capability> capabilities) {
        this.capabilities = capabilities;
    }

    @Override
    public String scheme() {
        return "capture";
    }

    @Override
    public TransportCapabilities capabilities() {
        return new TransportCapabilities(capabilities, 1 << 20);
    }

    @Override
    public ClientChannel openClient(ClientSettings settings, ReplyListener replies) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ServerChannel openServer(String service, ServerSettings settings, RequestHandler h) {
        handler = h;
        return new ServerChannel() {
            @Override
            public void start() {
            }

            @Override
            public void close(Duration grace) {
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() {
    }
}
