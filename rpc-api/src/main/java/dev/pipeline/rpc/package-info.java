/**
 * Pipeline's public API: JSON-RPC 2.0 calls between Java services through a message broker.
 *
 * <p>{@link dev.pipeline.rpc.Rpc} opens a {@link dev.pipeline.rpc.RpcClient} or {@link dev.pipeline.rpc.RpcServer}
 * on the transport named by a URI ({@code kafka://host:9092}, {@code redis://host:6379}, {@code inproc:name}).
 */
package dev.pipeline.rpc;
