package io.sluice.client;

import io.sluice.transport.HostPort;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link SluiceClient} reaches its broker. Immutable: each {@code withXxx} returns a copy.
 * <p>
 * By default the client launches its own embedded media driver (one shared thread, backoff idle, a unique
 * directory removed on close) and talks to the broker over UDP. {@link #withAeronDirectoryName} uses a running
 * driver instead, which {@link #withIpc} needs.
 */
public final class ClientOptions
{
    private final String bootstrap;
    private final String aeronDirectoryName;
    private final boolean ipc;
    private final int termLength;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final String clientName;
    private final IdleProfile idleProfile;
    private final Duration reconnectTimeout;
    private final Duration brokerTimeout;
    private final String username;
    private final char[] password;

    private ClientOptions(
        final String bootstrap,
        final String aeronDirectoryName,
        final boolean ipc,
        final int termLength,
        final Duration connectTimeout,
        final Duration requestTimeout,
        final String clientName,
        final IdleProfile idleProfile,
        final Duration reconnectTimeout,
        final Duration brokerTimeout,
        final String username,
        final char[] password)
    {
        this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
        this.aeronDirectoryName = aeronDirectoryName;
        this.ipc = ipc;
        this.termLength = termLength;
        this.connectTimeout = requirePositive(connectTimeout, "connectTimeout");
        this.requestTimeout = requirePositive(requestTimeout, "requestTimeout");
        this.clientName = Objects.requireNonNull(clientName, "clientName");
        this.idleProfile = Objects.requireNonNull(idleProfile, "idleProfile");
        this.reconnectTimeout = requirePositive(reconnectTimeout, "reconnectTimeout");
        this.brokerTimeout = requirePositive(brokerTimeout, "brokerTimeout");
        this.username = username;
        this.password = password;
        if (brokerTimeout.toMillis() < 200)
        {
            throw new IllegalArgumentException("brokerTimeout must be at least 200 ms (Aeron heartbeats an idle " +
                "stream every 100 ms): " + brokerTimeout);
        }
        for (final String address : bootstrap.split(",", -1))
        {
            try
            {
                HostPort.parse(address.trim());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("bootstrap: " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * @param bootstrap {@code HOST:PORT} of a broker, or of several brokers of a cluster separated by commas: the
     *                  client connects to the first that answers, and learns the others from it.
     * @return options with defaults for everything else.
     * @throws IllegalArgumentException for an address that is not {@code HOST:PORT}.
     */
    public static ClientOptions create(final String bootstrap)
    {
        return new ClientOptions(bootstrap, null, false, 16 * 1024 * 1024, Duration.ofSeconds(10),
            Duration.ofSeconds(10), "sluice-reactive-client", IdleProfile.BACKOFF,
            Duration.ofSeconds(60), Duration.ofSeconds(2), null, null);
    }

    /**
     * @param aeronDirectoryName of a running media driver to use instead of an embedded one.
     * @return a copy.
     */
    public ClientOptions withAeronDirectoryName(final String aeronDirectoryName)
    {
        return new ClientOptions(bootstrap, aeronDirectoryName, ipc, termLength, connectTimeout, requestTimeout,
            clientName, idleProfile, reconnectTimeout, brokerTimeout, username, password);
    }

    /**
     * @param ipc talk to a broker on this machine through shared memory; needs the broker's driver directory.
     * @return a copy.
     */
    public ClientOptions withIpc(final boolean ipc)
    {
        return new ClientOptions(bootstrap, aeronDirectoryName, ipc, termLength, connectTimeout, requestTimeout,
            clientName, idleProfile, reconnectTimeout, brokerTimeout, username, password);
    }

    /**
     * @param termLength of the client's request publication: a power of 2; a produce batch is at most an eighth.
     * @return a copy.
     */
    public ClientOptions withTermLength(final int termLength)
    {
        return new ClientOptions(bootstrap, aeronDirectoryName, ipc, termLength, connectTimeout, requestTimeout,
            clientName, idleProfile, reconnectTimeout, brokerTimeout, username, password);
    }

    /**
     * @param connectTimeout how long to wait for the broker to accept the connection.
     * @return a copy.
     */
    public ClientOptions withConnectTimeout(final Duration connectTimeout)
    {
        return new ClientOptions(bootstrap, aeronDirectoryName, ipc, termLength, connectTimeout, requestTimeout,
            clientName, idleProfile, reconnectTimeout, brokerTimeout, username, password);
    }

    /**
     * @param requestTimeout how long admin requests, commits and metadata look-ups wait for their answer.
     * @return a copy.
     */
    public ClientOptions withRequestTimeout(final Duration requestTimeout)
    {
        return new ClientOptions(bootstrap, aeronDirectoryName, ipc, termLength, connectTimeout, requestTimeout,
            clientName, idleProfile, reconnectTimeout, brokerTimeout, username, password);
    }

    /**
     * @param username the user to authenticate as, with SCRAM-SHA-256, on every connection (a broker with
     *                 {@code authentication=scram-sha-256} takes no other request before).
     * @param password the user's password; it never crosses the wire. The array is copied.
     * @return a copy.
     * @throws IllegalArgumentException for a user name other than letters, digits and {@code . _ - @}, or an empty
     *                                  password.
     */
    public ClientOptions withCredentials(final String username, final char[] password)
    {
        if (!io.sluice.transport.auth.ScramCredential.USER_NAME.matcher(Objects.requireNonNull(username, "username"))
            .matches())
        {
            throw new IllegalArgumentException("user name must be letters, digits and . _ - @: " + username);
        }
        if (0 == Objects.requireNonNull(password, "password").length)
        {
            throw new IllegalArgumentException("the password is empty");
        }
        return new ClientOptions(bootstrap, aeronDirectoryName, ipc, termLength, connectTimeout, requestTimeout,
            clientName, idleProfile, reconnectTimeout, brokerTimeout, username, password.clone());
    }

    /**
     * @return the user to authenticate as, or null for none.
     */
    public String username()
    {
        return username;
    }

    /**
     * @return a copy of the password, or null.
     */
    public char[] password()
    {
        return null == password ? null : password.clone();
    }

    /**
     * @param clientName shown by the broker.
     * @return a copy.
     */
    public ClientOptions withClientName(final String clientName)
    {
        return new ClientOptions(bootstrap, aeronDirectoryName, ipc, termLength, connectTimeout, requestTimeout,
            clientName, idleProfile, reconnectTimeout, brokerTimeout, username, password);
    }

    /**
     * @param idleProfile how the client's I/O thread waits when idle; {@link IdleProfile#BACKOFF} by default.
     * @return a copy.
     */
    public ClientOptions withIdleProfile(final IdleProfile idleProfile)
    {
        return new ClientOptions(bootstrap, aeronDirectoryName, ipc, termLength, connectTimeout, requestTimeout,
            clientName, idleProfile, reconnectTimeout, brokerTimeout, username, password);
    }

    /**
     * @param reconnectTimeout how long the client tries to reconnect after losing its connection before it fails
     *                         the running sends and receives (60 s by default).
     * @return a copy.
     */
    public ClientOptions withReconnectTimeout(final Duration reconnectTimeout)
    {
        return new ClientOptions(bootstrap, aeronDirectoryName, ipc, termLength, connectTimeout, requestTimeout,
            clientName, idleProfile, reconnectTimeout, brokerTimeout, username, password);
    }

    /**
     * @param brokerTimeout how long a broker may be silent before its connection counts as lost (2 s by default, at
     *                      least 200 ms): the embedded media driver's image liveness and publication connection
     *                      timeouts. A killed broker sends nothing more, so this bounds how soon the client notices
     *                      and moves to a partition's new leader. With {@link #withAeronDirectoryName} that driver's
     *                      own {@code aeron.image.liveness.timeout} applies instead.
     * @return a copy.
     */
    public ClientOptions withBrokerTimeout(final Duration brokerTimeout)
    {
        return new ClientOptions(bootstrap, aeronDirectoryName, ipc, termLength, connectTimeout, requestTimeout,
            clientName, idleProfile, reconnectTimeout, brokerTimeout, username, password);
    }

    /**
     * @return how long a broker may be silent before its connection counts as lost.
     */
    public Duration brokerTimeout()
    {
        return brokerTimeout;
    }

    /**
     * @return how long the client tries to reconnect.
     */
    public Duration reconnectTimeout()
    {
        return reconnectTimeout;
    }

    /**
     * @return {@code HOST:PORT} of the broker, or of several separated by commas.
     */
    public String bootstrap()
    {
        return bootstrap;
    }

    /**
     * @return the running driver's directory, or {@code null} for an embedded driver.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * @return whether to talk to the broker over IPC.
     */
    public boolean ipc()
    {
        return ipc;
    }

    /**
     * @return term length of the request publication.
     */
    public int termLength()
    {
        return termLength;
    }

    /**
     * @return connect timeout.
     */
    public Duration connectTimeout()
    {
        return connectTimeout;
    }

    /**
     * @return request timeout.
     */
    public Duration requestTimeout()
    {
        return requestTimeout;
    }

    /**
     * @return client name.
     */
    public String clientName()
    {
        return clientName;
    }

    /**
     * @return how the I/O thread idles.
     */
    public IdleProfile idleProfile()
    {
        return idleProfile;
    }

    static Duration requirePositive(final Duration duration, final String name)
    {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException(name + " must be positive: " + duration);
        }
        return duration;
    }

    public String toString()
    {
        return "ClientOptions{bootstrap=" + bootstrap + ", aeronDirectoryName=" + aeronDirectoryName + ", ipc=" + ipc +
            ", termLength=" + termLength + ", connectTimeout=" + connectTimeout + ", requestTimeout=" +
            requestTimeout + ", clientName=" + clientName +
            ", idleProfile=" + idleProfile +
            ", reconnectTimeout=" + reconnectTimeout + ", brokerTimeout=" + brokerTimeout + "}";
    }
}
