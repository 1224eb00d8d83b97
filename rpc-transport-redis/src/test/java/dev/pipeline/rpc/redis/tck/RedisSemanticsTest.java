package dev.pipeline.rpc.redis.tck;

import dev.pipeline.rpc.tck.SemanticsSuite;
import dev.pipeline.rpc.tck.TransportFixture;

/** The TCK's JSON-RPC semantics suite through Redis Streams. */
class RedisSemanticsTest extends SemanticsSuite {
    @Override
    protected TransportFixture fixture() {
        return new RedisTckFixture();
    }
}
