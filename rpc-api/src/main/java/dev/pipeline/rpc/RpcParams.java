package dev.pipeline.rpc;

import java.lang.reflect.Type;

/** The params of a request as seen by a {@link MethodHandler}: by position, by name, or absent. */
public interface RpcParams {
    /** @return whether params were given by name (a JSON object). */
    boolean named();

    /** @return the number of params (positional or named); 0 when absent. */
    int size();

    /**
     * Reads one positional param.
     *
     * @param <T> the param's type
     * @param index the param's position, from 0
     * @param type the type to convert it to (may be generic)
     * @return param {@code index} converted to {@code type}; {@code Optional.empty()} when missing and {@code type}
     * is an {@code Optional}
     * @throws RpcException {@link ErrorCodes#INVALID_PARAMS} when missing or not convertible, or when the params
     *                      were given by name
     */
    <T> T get(int index, Type type);

    /**
     * Reads one named param.
     *
     * @param <T> the param's type
     * @param name the param's name
     * @param type the type to convert it to (may be generic)
     * @return the named param converted to {@code type}; {@code Optional.empty()} when missing and {@code type} is
     * an {@code Optional}
     * @throws RpcException {@link ErrorCodes#INVALID_PARAMS} when missing or not convertible, or when the params
     *                      were given by position
     */
    <T> T get(String name, Type type);

    /** @return the whole params value as JSON text ({@code null} when absent). */
    String json();
}
