package dev.pipeline.rpc.redis;

import dev.pipeline.rpc.spi.Secrets;
import dev.pipeline.rpc.spi.Transport;
import dev.pipeline.rpc.spi.TransportProvider;
import io.lettuce.core.RedisURI;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The Redis Streams transport, scheme {@code redis}: {@code redis://[user:password@]host[:port][/database][?options]}.
 * Opening in code ({@link #open(URI, RedisTransportConfig)}) accepts {@code rediss://} (TLS) as well.
 *
 * <p>Options ({@link RedisTransportConfig}, by builder method name) may be given as URI query parameters or as
 * transport properties; other query parameters ({@code timeout}, {@code clientName}, {@code verifyPeer},
 * {@code database}) go to Lettuce. Over TLS the server's certificate is checked against the JVM's trust store, or
 * against {@code trustStore} when set, and its names against the URI's host ({@code verifyPeer=FULL}, the
 * default). Opening does not connect: connections are made on first use and retried, so a
 * client can be created before Redis is up. Needs Redis 6.2 or later.
 */
public class RedisTransportProvider implements TransportProvider {
    private final String scheme;

    /** Creates the provider for {@code redis://}; used by {@link java.util.ServiceLoader}. */
    public RedisTransportProvider() {
        this("redis");
    }

    RedisTransportProvider(String scheme) {
        this.scheme = scheme;
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public URI defaultUri() {
        return URI.create(scheme + "://localhost:6379");
    }

    @Override
    public Transport open(URI uri, Map<String, String> properties) {
        Objects.requireNonNull(uri, "uri");
        Map<String, String> options = new LinkedHashMap<>(properties == null ? Map.of() : properties);
        ParsedUri parsed = parse(uri);
        options.putAll(parsed.options);
        RedisTransportConfig config = RedisTransportConfig.withOptions(RedisTransportConfig.defaults(), options);
        return open(parsed, config);
    }

    /**
     * Opens a transport with a configuration built in code; options in the URI's query override it.
     *
     * @param uri {@code redis://} or {@code rediss://} (TLS) address with optional user, password, database and
     *     query options
     * @param config the configuration to start from
     * @return a transport on that Redis server; close it to close its connections
     * @throws IllegalArgumentException with a one-line message for a malformed address or option
     */
    public Transport open(URI uri, RedisTransportConfig config) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(config, "config");
        ParsedUri parsed = parse(uri);
        return open(parsed, RedisTransportConfig.withOptions(config, parsed.options));
    }

    private Transport open(ParsedUri parsed, RedisTransportConfig config) {
        RedisURI redisUri;
        try {
            redisUri = RedisURI.create(parsed.lettuceUri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed Redis URI '" + parsed.display + "': " + Secrets.mask(e.getMessage()));
        }
        if ((config.trustStore() != null || config.keyStore() != null) && !redisUri.isSsl()) {
            throw new IllegalArgumentException((config.trustStore() != null ? "trustStore" : "keyStore")
                    + " applies to TLS only: use rediss:// instead of '" + parsed.display + "'");
        }
        redisUri.setTimeout(config.commandTimeout());
        return new RedisTransport(parsed.scheme, redisUri, parsed.display, config);
    }

    private record ParsedUri(String scheme, String lettuceUri, String display, Map<String, String> options) {
    }

    private ParsedUri parse(URI uri) {
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"redis".equals(scheme) && !"rediss".equals(scheme)) { // either provider opens both, as in code
            throw new IllegalArgumentException("not a redis:// or rediss:// URI: '" + safe(uri) + "'");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new IllegalArgumentException("Redis URI '" + safe(uri) + "' has no host; expected "
                    + scheme + "://host:port");
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/") && !path.substring(1).matches("\\d{1,5}")) {
            throw new IllegalArgumentException("Redis URI '" + safe(uri) + "': the path must be a database index"
                    + " such as /0, was '" + path + "'");
        }
        Map<String, String> ours = new LinkedHashMap<>();
        StringJoiner lettuceQuery = new StringJoiner("&");
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String part : query.split("&")) {
                if (part.isEmpty()) {
                    continue;
                }
                int eq = part.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                if (RedisTransportConfig.OPTION_NAMES.contains(name)) {
                    ours.put(name, value);
                } else if (name.equals("verifyPeer") && value.matches("(?i)true|false")) {
                    // Lettuce 6 wants NONE, CA or FULL; accept the boolean form too
                    lettuceQuery.add("verifyPeer=" + (Boolean.parseBoolean(value) ? "FULL" : "NONE"));
                } else {
                    lettuceQuery.add(part);
                }
            }
        }
        int port = uri.getPort() < 0 ? RedisURI.DEFAULT_REDIS_PORT : uri.getPort();
        StringBuilder lettuce = new StringBuilder(scheme).append("://");
        if (uri.getRawUserInfo() != null) {
            lettuce.append(uri.getRawUserInfo()).append('@');
        }
        lettuce.append(uri.getHost()).append(':').append(port);
        if (path != null && path.length() > 1) {
            lettuce.append(path);
        }
        if (lettuceQuery.length() > 0) {
            lettuce.append('?').append(lettuceQuery);
        }
        String display = scheme + "://" + uri.getHost() + ":" + port + (path != null && path.length() > 1 ? path : "");
        return new ParsedUri(scheme, lettuce.toString(), display, ours);
    }

    /** @return the URI with its credentials masked, for messages. */
    private static String safe(URI uri) {
        return Secrets.mask(uri.toString());
    }
}
