package io.sluice.cli;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.AeronErrors;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientResponseListener;
import io.sluice.transport.HostPort;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.TopicDescription;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The connections {@code produce}, {@code consume} and {@code groups} need: one to the bootstrap broker (topic
 * look-ups), one to each other broker that leads a partition they use, and one to the group coordinator (commits,
 * committed offsets, group admin) if it is another broker, all on one embedded media driver. On a single broker
 * every partition's leader and the coordinator are the bootstrap broker, so there is one connection.
 */
final class Brokers implements AutoCloseable
{
    private final String clientName;
    private final long connectTimeoutMs;
    private final java.util.function.Consumer<ClientConnection.Context> credentials;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final ClientConnection bootstrap;
    private final Int2ObjectHashMap<ClientConnection> others = new Int2ObjectHashMap<>();

    private Brokers(final String bootstrap, final String clientName, final long connectTimeoutMs,
        final java.util.function.Consumer<ClientConnection.Context> credentials)
    {
        this.clientName = clientName;
        this.connectTimeoutMs = connectTimeoutMs;
        this.credentials = credentials;
        MediaDriver launchedDriver = null;
        Aeron connectedAeron = null;
        try
        {
            launchedDriver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy())
                .termBufferSparseFile(true)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            connectedAeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(launchedDriver.aeronDirectoryName())
                .clientName(clientName)
                .errorHandler(AeronErrors.LOG_ONLY));
            this.driver = launchedDriver;
            this.aeron = connectedAeron;
            this.bootstrap = connect(bootstrap);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(connectedAeron, launchedDriver);
            throw ex;
        }
    }

    /**
     * @param bootstrap        {@code HOST:PORT} of any broker.
     * @param clientName       shown by the brokers.
     * @param connectTimeoutMs how long to wait for each broker to accept.
     * @param credentials      sets the credentials of each connection, if there are any.
     * @return connected to the bootstrap broker.
     * @throws SluiceClientException if it cannot be reached.
     */
    static Brokers connect(final String bootstrap, final String clientName, final long connectTimeoutMs,
        final java.util.function.Consumer<ClientConnection.Context> credentials)
    {
        return new Brokers(bootstrap, clientName, connectTimeoutMs, credentials);
    }

    private ClientConnection connect(final String address)
    {
        final ClientConnection.Context ctx = new ClientConnection.Context()
            .bootstrap(address)
            .aeron(aeron)
            .clientName(clientName)
            .connectTimeout(connectTimeoutMs, TimeUnit.MILLISECONDS);
        credentials.accept(ctx);
        return ClientConnection.connect(ctx);
    }

    /**
     * @return the connection to the bootstrap broker.
     */
    ClientConnection bootstrap()
    {
        return bootstrap;
    }

    /**
     * The connection to a partition's leader, opened the first time it is asked for.
     *
     * @param topic     as described by the bootstrap broker, which also named the live brokers.
     * @param partition of the topic.
     * @return the connection.
     * @throws SluiceClientException with {@code LEADER_NOT_AVAILABLE} if the partition has no leader or its leader is
     *                               not among the live brokers, or if the leader cannot be reached.
     */
    ClientConnection leaderOf(final TopicDescription topic, final int partition)
    {
        final int leader = topic.partitions().get(partition).leader();
        if (leader < 0)
        {
            throw new SluiceClientException(ErrorCode.LEADER_NOT_AVAILABLE,
                topic.name() + "-" + partition + " has no leader: try again shortly");
        }
        return connectionTo(leader, ErrorCode.LEADER_NOT_AVAILABLE, topic.name() + "-" + partition + "'s leader");
    }

    /**
     * The connection to the broker that coordinates consumer groups (commits, committed offsets, group admin): the
     * bootstrap broker is asked which one it is (a metadata request), then it is connected to if it is another.
     *
     * @return the connection.
     * @throws SluiceClientException with {@code NOT_COORDINATOR} if no broker coordinates groups now (a new cluster
     *                               creating its offsets topic, or one whose offsets topic has no leader), or if the
     *                               coordinator is not among the live brokers or cannot be reached.
     */
    ClientConnection coordinator()
    {
        bootstrap.describeTopics(null, false);
        final int coordinator = bootstrap.coordinatorId();
        if (coordinator < 0)
        {
            throw new SluiceClientException(ErrorCode.NOT_COORDINATOR,
                "no broker coordinates consumer groups now: try again shortly");
        }
        return connectionTo(coordinator, ErrorCode.NOT_COORDINATOR, "the group coordinator");
    }

    private ClientConnection connectionTo(final int brokerId, final ErrorCode unavailable, final String role)
    {
        if (brokerId == bootstrap.brokerId())
        {
            return bootstrap;
        }
        ClientConnection connection = others.get(brokerId);
        if (null == connection)
        {
            final HostPort address = bootstrap.brokers().get(brokerId);
            if (null == address)
            {
                throw new SluiceClientException(unavailable,
                    role + ", broker " + brokerId + ", is not available: try again shortly");
            }
            connection = connect(address.toString());
            others.put(brokerId, connection);
        }
        return connection;
    }

    /**
     * @return every open connection, the bootstrap broker's first.
     */
    List<ClientConnection> all()
    {
        final List<ClientConnection> all = new ArrayList<>(1 + others.size());
        all.add(bootstrap);
        all.addAll(others.values());
        return all;
    }

    /**
     * Poll every connection.
     *
     * @param listener      receives the responses.
     * @param fragmentLimit most fragments to take from each.
     * @return fragments taken.
     */
    int poll(final ClientResponseListener listener, final int fragmentLimit)
    {
        int work = bootstrap.poll(listener, fragmentLimit);
        for (final ClientConnection connection : others.values())
        {
            work += connection.poll(listener, fragmentLimit);
        }
        return work;
    }

    /**
     * @return whether every open connection is up.
     */
    boolean isConnected()
    {
        for (final ClientConnection connection : all())
        {
            if (!connection.isConnected())
            {
                return false;
            }
        }
        return true;
    }

    public void close()
    {
        CloseHelper.quietCloseAll(others.values());
        CloseHelper.quietCloseAll(bootstrap, aeron, driver);
    }
}
