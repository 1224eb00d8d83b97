package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.Capability;
import dev.pipeline.rpc.spi.ClientChannel;
import dev.pipeline.rpc.spi.ClientSettings;
import dev.pipeline.rpc.spi.ReplyListener;
import dev.pipeline.rpc.spi.RequestHandler;
import dev.pipeline.rpc.spi.ServerChannel;
import dev.pipeline.rpc.spi.ServerSettings;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportCapabilities;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An open Redis Streams transport: one Lettuce client, a shared command connection, a maintenance thread. */
final class RedisTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(RedisTransport.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    final RedisTransportConfig config;
    final String display;
    private final String scheme;
    /** The longest wait between two attempts to reconnect to Redis. */
    static final long RECONNECT_DELAY_MAX_MS = 250;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI redisUri;
    final ScheduledExecutorService scheduler;
    /** Non-blocking commands of every channel (XADD, XACK, PEXPIRE, XCLAIM...): pipelined on one connection. */
    final Connector commands;
    private final Set<AutoCloseable> channels = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    RedisTransport(String scheme, RedisURI redisUri, String display, RedisTransportConfig config) {
        this.scheme = scheme;
        this.redisUri = redisUri;
        this.display = display;
        this.config = config;
        // reconnect attempts at most 250 ms apart (Lettuce's default doubles them up to 30 s): after a 3 s outage the
        // next attempt came about 2 s after Redis was up again, and every caller waited for it
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(2)
                .reconnectDelay(io.lettuce.core.resource.Delay.exponential(Duration.ofMillis(10),
                        Duration.ofMillis(RECONNECT_DELAY_MAX_MS), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        ClientOptions.Builder options = ClientOptions.builder();
        if (config.trustStore() != null || config.keyStore() != null) {
            SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
            if (config.trustStore() != null) {
                ssl.trustManager(config.trustManagerFactory());
            }
            if (config.keyStore() != null) {
                ssl.keyManager(config.keyManagerFactory());
            }
            options.sslOptions(ssl.build());
        }
        client.setOptions(options
                .protocolVersion(ProtocolVersion.RESP2)
                .autoReconnect(true)
                .socketOptions(SocketOptions.builder().connectTimeout(config.connectTimeout()).keepAlive(true)
                        .tcpNoDelay(true).build())
                // no per-command timeout tasks: scheduling one per command wakes a timer thread each time and
                // doubled the sequential round trip on 2 cores; client sends are bounded by a sweep instead
                .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
                .build());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pipeline-redis-maintenance-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.commands = connector("command");
    }

    Connector connector(String purpose) {
        return new Connector(client, redisUri, display, purpose);
    }

    // Key layout (see docs/redis-transport.md)
    String requestStream(String service) {
        return config.keyPrefix() + service;
    }

    String group(String service) {
        return config.keyPrefix() + service;
    }

    String deadLetterStream(String service) {
        return config.keyPrefix() + service + ":dlq";
    }

    String replyStream(String clientId) {
        return config.keyPrefix() + REPLY_NAMESPACE + clientId;
    }

    /** After the key prefix: the reply streams' part of the key space, which no service name may enter. */
    static final String REPLY_NAMESPACE = "reply:";
    private static final java.util.regex.Pattern CLIENT_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,200}");

    /** @return whether a client id can name a reply stream: 1 to 200 characters of {@code [A-Za-z0-9._-]} */
    static boolean validClientId(String clientId) {
        return clientId != null && CLIENT_ID.matcher(clientId).matches();
    }

    /**
     * @return whether {@code key} is a reply stream name of this transport, {@code <prefix>reply:<clientId>}: the
     *         only keys a server writes a reply to
     */
    boolean isReplyStream(String key) {
        String namespace = config.keyPrefix() + REPLY_NAMESPACE;
        return key.startsWith(namespace) && validClientId(key.substring(namespace.length()));
    }

    /** Refuses service names whose streams would fall into the reply namespace. */
    static void checkServiceName(String service) {
        if (service.isBlank()) {
            throw new IllegalArgumentException("service name must not be blank");
        }
        if (service.startsWith(REPLY_NAMESPACE)) {
            throw new IllegalArgumentException("service name must not begin with '" + REPLY_NAMESPACE
                    + "' (the reply streams' namespace), was '" + service + "'");
        }
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public String destination(String service) {
        return requestStream(service);
    }

    @Override
    public TransportCapabilities capabilities() {
        return new TransportCapabilities(EnumSet.of(Capability.PERSISTENT, Capability.REDELIVERY_AFTER_CRASH,
                Capability.DEAD_LETTER, Capability.LOAD_SHARING), config.maxMessageBytes());
    }

    @Override
    public ClientChannel openClient(ClientSettings settings, ReplyListener replies) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(replies, "replies");
        if (!validClientId(settings.clientId())) {
            throw new IllegalArgumentException("the Redis transport needs a client id of 1-200 characters of "
                    + "[A-Za-z0-9._-] (it names the reply stream), was '" + settings.clientId() + "'");
        }
        ensureOpen();
        RedisClientChannel channel = new RedisClientChannel(this, settings.clientId(), replies);
        channels.add(channel);
        channel.open();
        return channel;
    }

    @Override
    public ServerChannel openServer(String service, ServerSettings settings, RequestHandler handler) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(handler, "handler");
        checkServiceName(service);
        ensureOpen();
        RedisServerChannel channel = new RedisServerChannel(this, service, settings, handler);
        channels.add(channel);
        return channel;
    }

    void forget(AutoCloseable channel) {
        channels.remove(channel);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Redis transport to " + display + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable c : List.copyOf(channels)) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing a Redis channel failed: {}", e.toString());
            }
        }
        scheduler.shutdownNow();
        try {
            commands.close().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("closing the Redis command connection: {}", e.toString());
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "RedisTransport[" + display + "]";
    }
}
