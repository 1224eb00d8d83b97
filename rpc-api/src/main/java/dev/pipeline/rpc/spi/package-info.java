/**
 * The transport SPI: how a message broker plugs into Pipeline.
 *
 * <p>A transport moves opaque JSON-RPC bytes plus a small set of metadata ({@link WireHeaders}) between a client
 * and the server instances of a named service. It never parses JSON-RPC: the core owns parsing, validation,
 * dispatch, ids, batches, timeouts and metrics. Transports are discovered with {@link java.util.ServiceLoader}
 * through {@link TransportProvider} and chosen by URI scheme.
 *
 * <p>Contract in short:
 * <ul>
 *   <li>Client side ({@link ClientChannel}): {@code send} hands a request to the broker; replies addressed to this
 *       client are delivered to the {@link ReplyListener} with the correlation id they were sent with.
 *       {@link ClientChannel#ready()} completes only once a reply sent right after it would be received.</li>
 *   <li>Server side ({@link ServerChannel}): each inbound message is given to the {@link RequestHandler}; when the
 *       returned stage completes, the transport writes {@link HandlerOutcome#reply()} to the message's reply address
 *       (if both exist), copies the message to the dead-letter destination when
 *       {@link HandlerOutcome#deadLetterReason()} is set, and only then acknowledges the message
 *       (Kafka: offset commit of the contiguous completed prefix; Redis: XACK).</li>
 * </ul>
 */
package dev.pipeline.rpc.spi;
