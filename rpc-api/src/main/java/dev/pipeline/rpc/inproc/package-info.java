/**
 * The in-process transport ({@code inproc:name}): the transport SPI's reference implementation, a broker living in
 * the JVM. Used by the core's own tests, the TCK and benchmarks of the core; it is not a stand-in for a real broker.
 * Only {@link dev.pipeline.rpc.inproc.InprocTransportProvider} is public (for {@link java.util.ServiceLoader}).
 */
package dev.pipeline.rpc.inproc;
