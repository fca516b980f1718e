package io.sluice.client.internal;

import io.sluice.client.ClientOptions;
import io.sluice.client.ConsumerOptions;
import io.sluice.client.IdleProfile;
import io.sluice.client.ProducerOptions;
import io.sluice.client.SluiceAdmin;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceConsumer;
import io.sluice.client.SluiceProducer;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.SluiceClientException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client: a {@link ClientConnection} owned by a {@link ClientAgent} on its own thread ({@code sluice-client},
 * backoff idle by default: an idle client costs almost nothing), which reconnects when the connection is lost.
 */
public final class DefaultSluiceClient implements SluiceClient
{
    private static final Logger LOG = LoggerFactory.getLogger(DefaultSluiceClient.class);

    private final ClientAgent agent;
    private final AgentRunner runner;
    private final SluiceAdmin admin;
    private boolean closed;

    private DefaultSluiceClient(final ClientOptions options)
    {
        final ClientConnection connection = connect(options);
        this.agent = new ClientAgent(connection, () -> connect(options), options.reconnectTimeout().toNanos());
        this.admin = new DefaultAdmin(agent);
        final IdleStrategy idleStrategy = switch (options.idleProfile())
        {
            case BACKOFF -> new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
            case YIELDING -> new YieldingIdleStrategy();
            case BUSY_SPIN -> new BusySpinIdleStrategy();
        };
        this.runner = new AgentRunner(idleStrategy, (ex) -> LOG.error("client agent error", ex), null, agent);
        AgentRunner.startOnThread(runner);
    }

    /**
     * @param options how to reach the broker.
     * @return a connected client.
     * @throws io.sluice.client.SluiceException if the broker cannot be reached.
     */
    public static DefaultSluiceClient create(final ClientOptions options)
    {
        return new DefaultSluiceClient(options);
    }

    private static ClientConnection connect(final ClientOptions options)
    {
        final ClientConnection.Context ctx = new ClientConnection.Context()
            .bootstrap(options.bootstrap())
            .ipc(options.ipc())
            .termLength(options.termLength())
            .clientName(options.clientName())
            .connectTimeout(options.connectTimeout().toNanos(), TimeUnit.NANOSECONDS)
            .requestTimeout(options.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (null != options.aeronDirectoryName())
        {
            ctx.aeronDirectoryName(options.aeronDirectoryName());
        }
        try
        {
            return ClientConnection.connect(ctx);
        }
        catch (final SluiceClientException ex)
        {
            throw Errors.of(ex);
        }
    }

    public <K, V> SluiceProducer<K, V> producer(final ProducerOptions<K, V> options)
    {
        return new DefaultProducer<>(agent, options);
    }

    public <K, V> SluiceConsumer<K, V> consumer(final ConsumerOptions<K, V> options)
    {
        return new DefaultConsumer<>(agent, options);
    }

    public SluiceAdmin admin()
    {
        return admin;
    }

    /**
     * Bytes of fetched records held or granted as credit by every running receive, as the I/O thread sees them.
     *
     * @return a future of the sum.
     */
    public CompletableFuture<Long> heldBytes()
    {
        final CompletableFuture<Long> result = new CompletableFuture<>();
        agent.execute(() -> result.complete(agent.heldBytes()));
        return result;
    }

    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            CloseHelper.close(runner); // the agent's onClose closes the connection
        }
    }
}
