package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.pipeline.rpc.json.Codec;
import dev.pipeline.rpc.json.JsonOutput;

import java.lang.reflect.Type;
import java.util.Optional;

/** A {@link MethodHandler} registered under a name; it sees its params through {@link RpcParams}. */
final class HandlerMethod implements RpcMethod {
    private final String name;
    private final MethodHandler handler;

    HandlerMethod(String name, MethodHandler handler) {
        this.name = name;
        this.handler = handler;
    }

    @Override
    public Object invoke(JsonElement params) throws Exception {
        return handler.handle(new Params(name, params));
    }

    /** The params of one request. A missing {@code Optional} param reads as {@code Optional.empty()}. */
    static final class Params implements RpcParams {
        private final String method;
        private final JsonElement params;

        Params(String method, JsonElement params) {
            this.method = method;
            this.params = params;
        }

        @Override
        public boolean named() {
            return params instanceof JsonObject;
        }

        @Override
        public int size() {
            return params instanceof JsonArray a ? a.size() : params instanceof JsonObject o ? o.size() : 0;
        }

        @Override
        public <T> T get(int index, Type type) {
            if (params instanceof JsonObject) {
                throw RpcMethod.invalidParams("method '" + method + "' takes params by position, got named params");
            }
            JsonArray array = params instanceof JsonArray a ? a : new JsonArray();
            if (index < 0 || index >= array.size()) {
                return missing(type, "missing param " + index + " of method '" + method + "'");
            }
            return convert(array.get(index), type, "param " + index);
        }

        @Override
        public <T> T get(String name, Type type) {
            if (params instanceof JsonArray) {
                throw RpcMethod.invalidParams("method '" + method + "' takes params by name, got positional params");
            }
            JsonElement value = params instanceof JsonObject o ? o.get(name) : null;
            if (value == null) {
                return missing(type, "missing param '" + name + "' of method '" + method + "'");
            }
            return convert(value, type, "param '" + name + "'");
        }

        @Override
        public String json() {
            return params == null ? null : JsonOutput.toText(params);
        }

        @SuppressWarnings("unchecked")
        private static <T> T missing(Type type, String detail) {
            if (type instanceof Class<?> c ? c == Optional.class
                    : type instanceof java.lang.reflect.ParameterizedType p && p.getRawType() == Optional.class) {
                return (T) Optional.empty();
            }
            throw RpcMethod.invalidParams(detail);
        }

        private <T> T convert(JsonElement value, Type type, String what) {
            try {
                return Codec.fromJson(value, type);
            } catch (RuntimeException e) {
                throw RpcMethod.invalidParams(what + " of method '" + method + "': "
                        + (e instanceof IllegalArgumentException ? e.getMessage()
                        : "invalid value"));
            }
        }
    }
}
