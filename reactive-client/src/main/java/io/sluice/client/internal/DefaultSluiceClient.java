package io.sluice.client.internal;

import io.sluice.client.ClientOptions;
import io.sluice.client.ConsumerOptions;
import io.sluice.client.IdleProfile;
import io.sluice.client.ProducerOptions;
import io.sluice.client.SluiceAdmin;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceConsumer;
import io.sluice.client.SluiceProducer;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.client.SluiceException;
import io.sluice.transport.AeronErrors;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientResponseListener;
import io.sluice.transport.HostPort;
import io.sluice.transport.SluiceClientException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client: connections to the brokers owned by a {@link ClientAgent} on its own thread ({@code sluice-client},
 * backoff idle by default: an idle client costs almost nothing), which reconnects when a connection is lost. Every
 * connection shares one Aeron client and, unless the options name a running driver, one embedded media driver
 * (shared threading, backoff idle, its directory removed on close).
 */
public final class DefaultSluiceClient implements SluiceClient
{
    private static final Logger LOG = LoggerFactory.getLogger(DefaultSluiceClient.class);

    private final MediaDriver driver;
    private final Aeron aeron;
    private final ClientAgent agent;
    private final AgentRunner runner;
    private final SluiceAdmin admin;
    private boolean closed;

    private DefaultSluiceClient(final ClientOptions options)
    {
        final List<HostPort> bootstrap = new ArrayList<>();
        for (final String address : options.bootstrap().split(","))
        {
            bootstrap.add(HostPort.parse(address.trim()));
        }
        MediaDriver launchedDriver = null;
        Aeron connectedAeron = null;
        final ClientConnection connection;
        try
        {
            String aeronDir = options.aeronDirectoryName();
            if (null == aeronDir)
            {
                final long brokerTimeoutNs = options.brokerTimeout().toNanos();
                launchedDriver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new BackoffIdleStrategy())
                    .termBufferSparseFile(true)
                    .imageLivenessTimeoutNs(brokerTimeoutNs)
                    .publicationConnectionTimeoutNs(brokerTimeoutNs)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
                aeronDir = launchedDriver.aeronDirectoryName();
            }
            connectedAeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(aeronDir)
                .clientName(options.clientName())
                .errorHandler(AeronErrors.LOG_ONLY));
            connection = connectFirst(options, connectedAeron, bootstrap);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(connectedAeron, launchedDriver);
            throw ex;
        }
        this.driver = launchedDriver;
        this.aeron = connectedAeron;
        this.agent = new ClientAgent(connection, bootstrap,
            (address, timeoutNs, listener) -> connect(options, aeron, address, timeoutNs, listener),
            options.connectTimeout().toNanos(), options.reconnectTimeout().toNanos());
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

    /**
     * Connect to the first bootstrap address that answers: each is given at most 1 s at a time, and the list is
     * tried again until the connect timeout has passed (a broker that is still starting may need several tries).
     */
    private static ClientConnection connectFirst(
        final ClientOptions options, final Aeron aeron, final List<HostPort> bootstrap)
    {
        final long timeoutNs = options.connectTimeout().toNanos();
        if (1 == bootstrap.size())
        {
            return connect(options, aeron, bootstrap.get(0), timeoutNs, null);
        }
        final long deadlineNs = System.nanoTime() + timeoutNs;
        SluiceException last = null;
        for (int i = 0; i == 0 || System.nanoTime() - deadlineNs < 0; i++)
        {
            final long remainingNs = Math.max(deadlineNs - System.nanoTime(), 1);
            try
            {
                return connect(options, aeron, bootstrap.get(i % bootstrap.size()),
                    Math.min(remainingNs, TimeUnit.SECONDS.toNanos(1)), null);
            }
            catch (final SluiceException ex)
            {
                if (ex.errorCode() == io.sluice.codecs.client.ErrorCode.AUTHENTICATION_FAILED)
                {
                    throw ex; // another broker of the cluster would refuse the same credentials
                }
                last = ex;
                LOG.debug("cannot connect to {}: {}", bootstrap.get(i % bootstrap.size()), ex.getMessage());
            }
        }
        throw Errors.connection("no broker of " + options.bootstrap() + " answered within " +
            options.connectTimeout().toMillis() + " ms (last: " + last.getMessage() + ")");
    }

    /**
     * @param listener for asynchronous responses that arrive during a blocking call, or null (the first connection:
     *                 the agent polls it before anything asynchronous is sent on it).
     */
    private static ClientConnection connect(
        final ClientOptions options,
        final Aeron aeron,
        final HostPort address,
        final long timeoutNs,
        final ClientResponseListener listener)
    {
        final ClientConnection.Context ctx = new ClientConnection.Context()
            .listener(listener)
            .bootstrap(address.toString())
            .aeron(aeron)
            .ipc(options.ipc())
            .termLength(options.termLength())
            .clientName(options.clientName())
            .connectTimeout(timeoutNs, TimeUnit.NANOSECONDS)
            .requestTimeout(options.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (null != options.aeronDirectoryName())
        {
            ctx.aeronDirectoryName(options.aeronDirectoryName());
        }
        if (null != options.username())
        {
            ctx.credentials(options.username(), options.password());
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

    /**
     * Drop the next join answers this client receives, as if lost on the way: for tests of how a member recovers.
     * Not part of the API.
     *
     * @param count of answers to drop.
     */
    public void dropJoinAnswers(final int count)
    {
        agent.dropJoinAnswers(count);
    }

    /**
     * @return the agent, for tests of this package.
     */
    ClientAgent agent()
    {
        return agent;
    }

    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            CloseHelper.close(runner); // the agent's onClose closes the connections
            CloseHelper.quietCloseAll(aeron, driver);
        }
    }
}
