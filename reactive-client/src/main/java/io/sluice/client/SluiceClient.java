package io.sluice.client;

import io.sluice.client.internal.DefaultSluiceClient;

/**
 * The reactive client: one connection to a broker, one I/O thread, and the producers, consumers and admin built on
 * them. Thread-safe. When the connection is lost the client reconnects, for up to
 * {@link ClientOptions#reconnectTimeout()}; running sends and receives wait and then go on (a send retries what was
 * not acknowledged, a receive reopens where it was), and fail with a {@code CONNECTION} error only if reconnecting
 * fails. {@link #close()} ends every Flux still running with an error and releases the connection.
 */
public interface SluiceClient extends AutoCloseable
{
    /**
     * Connect to a broker.
     *
     * @param options how to reach it.
     * @return the client, connected.
     * @throws SluiceException if the broker cannot be reached.
     */
    static SluiceClient create(final ClientOptions options)
    {
        return DefaultSluiceClient.create(options);
    }

    /**
     * @param options of the producer.
     * @param <K>     key type.
     * @param <V>     value type.
     * @return a producer sending over this client's connection.
     */
    <K, V> SluiceProducer<K, V> producer(ProducerOptions<K, V> options);

    /**
     * @param options of the consumer.
     * @param <K>     key type.
     * @param <V>     value type.
     * @return a consumer receiving over this client's connection.
     */
    <K, V> SluiceConsumer<K, V> consumer(ConsumerOptions<K, V> options);

    /**
     * @return topic and group operations.
     */
    SluiceAdmin admin();

    /**
     * Stop the I/O thread, fail what is still running, close the connection.
     */
    void close();
}
