package io.sluice.perf.e2e;

import io.aeron.Aeron;
import io.aeron.AeronVersion;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.collections.ArrayListUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.sluice.perf.e2e.E2ePayloadDescriptor.BYTE_ORDER;
import static io.sluice.perf.e2e.E2ePayloadDescriptor.SEQUENCE_OFFSET;

/**
 * Plain Aeron ping-pong over UDP loopback, no broker and no log: the floor under Sluice's transport. It has the
 * topology of {@code sluice-udp}, where a record crosses two hops (producer to broker, broker to consumer) through
 * one media driver shared by the broker and the clients:
 * <ul>
 *   <li>one embedded media driver, {@code SHARED} with the yielding idle strategy, {@value #TERM_LENGTH_MIB} MiB
 *   sparse terms (the term length of Sluice's clients), and one Aeron client;</li>
 *   <li>an echo thread, the broker's stand-in (an {@link AgentRunner}, yielding), subscribed to the ping endpoint
 *   (stream {@value #PING_STREAM_ID}); for every producer (ping image) it adds a pong publication to the pong endpoint
 *   (stream {@value #PONG_STREAM_ID}) with the producer's session id, and republishes each ping message on it as is,
 *   retrying on back-pressure (a controlled poll that aborts), so nothing is lost;</li>
 *   <li>producer: an exclusive publication of pings; {@link E2eProducer#send} is one {@code offer}; a subscription to
 *   the pongs of its own session acknowledges each record by the sequence in its payload
 *   ({@link E2ePayloadDescriptor}); with {@code acks=0} a record is acknowledged when offered and the pongs are only
 *   drained;</li>
 *   <li>consumer: a subscription to every pong of the pong endpoint.</li>
 * </ul>
 * Both endpoints are {@code 127.0.0.1:0}, resolved by the driver. The pong endpoint is held by a subscription of its
 * own on another stream, tagged, and the producers and consumers subscribe through the tag: two subscriptions of one
 * driver cannot bind one port, but a tag shares the endpoint. Messages longer than a frame are fragmented by
 * {@code offer} and reassembled at each end. Nothing is stored, and {@link E2eSettings#partitions()} is ignored.
 * <p>
 * Threads: {@link #newProducer} and {@link #newConsumer} may be called from any thread, at the same time (the Aeron
 * client is thread-safe); producers and consumers as {@link E2eProducer} and {@link E2eConsumer}. The echo agent owns
 * its pong publications; the client's conductor hands it ping images through queues.
 */
final class AeronRawTarget implements E2eTarget
{
    static final String NAME = "aeron-raw";
    static final String ECHO_ROLE_NAME = "sluice-e2e-aeron-echo";
    static final int PING_STREAM_ID = 1001;
    static final int PONG_STREAM_ID = 1002;
    /** Stream of the subscription that holds the pong endpoint; nothing is published on it. */
    static final int PONG_ENDPOINT_STREAM_ID = 1003;
    static final int TERM_LENGTH_MIB = 16;
    static final int FRAGMENT_LIMIT = 64;
    static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long AWAIT_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicReference<Throwable> echoFailure = new AtomicReference<>();
    private final AtomicInteger connectedProducers = new AtomicInteger();
    private MediaDriver driver;
    private File aeronDirectory;
    private Aeron aeron;
    private AgentRunner echoRunner;
    private Echo echo;
    private String pingChannel;
    private String pongSubscriptionChannel;

    public String name()
    {
        return NAME;
    }

    public void start(final E2eSettings settings)
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new YieldingIdleStrategy())
            .termBufferSparseFile(true)
            .publicationTermBufferLength(TERM_LENGTH_MIB << 20)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeronDirectory = new File(driver.aeronDirectoryName());
        aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .clientName("sluice-e2e-" + NAME));

        final long pongTag = aeron.nextCorrelationId();
        final Subscription pongEndpoint = aeron.addSubscription(
            "aeron:udp?endpoint=127.0.0.1:0|tags=" + pongTag, PONG_ENDPOINT_STREAM_ID);
        pongSubscriptionChannel = "aeron:udp?tags=" + pongTag;
        echo = new Echo(aeron, "aeron:udp?endpoint=" + awaitEndpoint(pongEndpoint));
        // No unavailable-image handler: the echo sees a ping image that went away as closed.
        final Subscription pings = aeron.addSubscription(
            "aeron:udp?endpoint=127.0.0.1:0", PING_STREAM_ID, echo::onPingAvailable, (image) -> {});
        pingChannel = "aeron:udp?endpoint=" + awaitEndpoint(pings);

        final AgentRunner runner = new AgentRunner(new YieldingIdleStrategy(), this::onEchoError, null, echo);
        AgentRunner.startOnThread(runner);
        echoRunner = runner;
    }

    public String description()
    {
        return "Aeron " + AeronVersion.VERSION + " ping-pong over UDP loopback in this JVM, no broker, no log " +
            "(partitions ignored): one media driver SHARED/yielding, " + TERM_LENGTH_MIB + " MiB terms, for both " +
            "hops as sluice-udp\n  echo thread (yielding) republishes each ping (stream " + PING_STREAM_ID +
            ") on a pong publication per producer (stream " + PONG_STREAM_ID + "); producer: offer per record, " +
            "acked by its own pong; consumer: a subscription to every pong";
    }

    public E2eProducer newProducer(
        final int acks, final ProducerProfile profile, final E2eProducer.AckListener listener)
    {
        ExclusivePublication pings = null;
        Subscription pongs = null;
        try
        {
            pings = aeron.addExclusivePublication(pingChannel, PING_STREAM_ID);
            pongs = aeron.addSubscription(
                pongSubscriptionChannel + "|session-id=" + pings.sessionId(), PONG_STREAM_ID);
            final ExclusivePublication publication = pings;
            final Subscription subscription = pongs;
            await(() -> publication.isConnected() && subscription.isConnected(),
                "the echo did not connect to a new producer");
            connectedProducers.incrementAndGet();
            return new Producer(pings, pongs, 0 == acks, listener, connectedProducers);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(pongs, pings);
            throw ex;
        }
    }

    public E2eConsumer newConsumer()
    {
        final Subscription pongs = aeron.addSubscription(pongSubscriptionChannel, PONG_STREAM_ID);
        try
        {
            // The driver links the subscription to every pong image as it registers it, so records echoed from here
            // on reach it; waiting for the images too makes the consumer see them from its first poll.
            await(() -> pongs.imageCount() >= connectedProducers.get(),
                "the consumer did not see the pongs of the open producers");
            return new Consumer(pongs);
        }
        catch (final RuntimeException ex)
        {
            pongs.close();
            throw ex;
        }
    }

    public void close()
    {
        CloseHelper.quietCloseAll(echoRunner, aeron, driver);
        echoRunner = null;
        echo = null;
        aeron = null;
        driver = null;
        if (null != aeronDirectory)
        {
            IoUtil.delete(aeronDirectory, true);
            aeronDirectory = null;
        }
    }

    /**
     * The Aeron directory of the driver, for tests.
     *
     * @return the directory, or null before start and after close.
     */
    File aeronDirectory()
    {
        return aeronDirectory;
    }

    /**
     * Producers the echo is serving, closed ones until it has seen them go; for tests.
     *
     * @return the number of ping images the echo has a pong publication for, or is adding one for.
     */
    int echoSessions()
    {
        return null == echo ? 0 : echo.sessionCount.get();
    }

    private void onEchoError(final Throwable error)
    {
        if (echoFailure.compareAndSet(null, error))
        {
            System.err.println(NAME + " echo failed (first error):");
            error.printStackTrace(System.err);
        }
    }

    private String awaitEndpoint(final Subscription subscription)
    {
        String endpoint;
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (null == (endpoint = subscription.resolvedEndpoint()))
        {
            checkDeadline(deadlineNs, "the media driver did not bind " + subscription.channel());
            LockSupport.parkNanos(AWAIT_PARK_NS);
        }
        return endpoint;
    }

    private void await(final BooleanSupplier condition, final String failure)
    {
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            checkDeadline(deadlineNs, failure);
            LockSupport.parkNanos(AWAIT_PARK_NS);
        }
    }

    private void checkDeadline(final long deadlineNs, final String failure)
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            final Throwable echoError = echoFailure.get();
            throw new IllegalStateException(NAME + ": " + failure + " within " +
                TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NS) + " s" +
                (null == echoError ? "" : "; the echo failed with " + echoError), echoError);
        }
    }

    /**
     * The broker's stand-in: republishes every ping of each producer on that producer's pong publication.
     * <p>
     * Threads: runs on its own thread; {@link #onPingAvailable} is called by whichever thread does the Aeron client's
     * conductor work (its own, or one waiting in a blocking client call) and only queues the image. An image that
     * goes away is seen closed by the session that polls it.
     */
    static final class Echo implements Agent
    {
        private static final int IMAGE_QUEUE_CAPACITY = 1024;

        private final Aeron aeron;
        private final String pongChannel;
        private final ManyToOneConcurrentArrayQueue<Image> availablePings =
            new ManyToOneConcurrentArrayQueue<>(IMAGE_QUEUE_CAPACITY);
        private final ArrayList<SessionEcho> sessions = new ArrayList<>();
        /** The size of {@link #sessions}, for other threads to read. */
        private final AtomicInteger sessionCount = new AtomicInteger();

        Echo(final Aeron aeron, final String pongChannel)
        {
            this.aeron = aeron;
            this.pongChannel = pongChannel;
        }

        public String roleName()
        {
            return ECHO_ROLE_NAME;
        }

        void onPingAvailable(final Image image)
        {
            if (!availablePings.offer(image))
            {
                throw new IllegalStateException("more than " + IMAGE_QUEUE_CAPACITY + " ping images queued");
            }
        }

        public int doWork()
        {
            int work = 0;
            Image image;
            while (null != (image = availablePings.poll()))
            {
                final long registrationId = aeron.asyncAddExclusivePublication(
                    pongChannel + "|session-id=" + image.sessionId(), PONG_STREAM_ID);
                sessions.add(new SessionEcho(aeron, image, registrationId));
                sessionCount.lazySet(sessions.size());
                work++;
            }
            for (int i = sessions.size() - 1; i >= 0; i--)
            {
                final SessionEcho session = sessions.get(i);
                try
                {
                    work += session.doWork();
                }
                finally
                {
                    if (session.done)
                    {
                        ArrayListUtil.fastUnorderedRemove(sessions, i);
                        sessionCount.lazySet(sessions.size());
                    }
                }
            }
            return work;
        }

        public void onClose()
        {
            for (int i = 0, size = sessions.size(); i < size; i++)
            {
                CloseHelper.quietClose(sessions.get(i).pong);
            }
            sessions.clear();
        }
    }

    /**
     * The pings of one producer and the pong publication they are echoed on. Owned by the echo agent.
     */
    static final class SessionEcho implements ControlledFragmentHandler
    {
        final Image ping;
        ExclusivePublication pong;
        boolean done;

        private final Aeron aeron;
        private final long pongRegistrationId;
        private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);

        SessionEcho(final Aeron aeron, final Image ping, final long pongRegistrationId)
        {
            this.aeron = aeron;
            this.ping = ping;
            this.pongRegistrationId = pongRegistrationId;
        }

        int doWork()
        {
            if (null == pong)
            {
                try
                {
                    pong = aeron.getExclusivePublication(pongRegistrationId);
                }
                catch (final RuntimeException ex)
                {
                    done = true;
                    throw ex;
                }
                if (null == pong)
                {
                    return 0;
                }
            }
            if (ping.isClosed())
            {
                // The producer went away: so do its pongs.
                pong.close();
                done = true;
                return 1;
            }
            return ping.controlledPoll(assembler, FRAGMENT_LIMIT);
        }

        public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            // Back-pressured, or not yet connected to the producer's pongs: the same message again next time. CLOSED
            // and MAX_POSITION_EXCEEDED cannot happen: this agent owns the publication, and 2^31 terms are far away.
            return pong.offer(buffer, offset, length) > 0 ? Action.CONTINUE : Action.ABORT;
        }
    }

    /**
     * Offers records as pings and takes its own pongs as acknowledgements. Allocation-free per record.
     * <p>
     * Threads: the sender's, only.
     */
    static final class Producer implements E2eProducer
    {
        private final ExclusivePublication pings;
        private final Subscription pongs;
        private final boolean ackOnSend;
        private final AckListener listener;
        private final AtomicInteger connectedProducers;
        private final FragmentAssembler assembler = new FragmentAssembler(this::onPong);
        private long sent;
        private long ponged;
        private boolean closed;

        Producer(
            final ExclusivePublication pings,
            final Subscription pongs,
            final boolean ackOnSend,
            final AckListener listener,
            final AtomicInteger connectedProducers)
        {
            this.pings = pings;
            this.pongs = pongs;
            this.ackOnSend = ackOnSend;
            this.listener = listener;
            this.connectedProducers = connectedProducers;
        }

        public boolean send(final DirectBuffer buffer, final int offset, final int length, final long sequence)
        {
            final long result = pings.offer(buffer, offset, length);
            if (result > 0)
            {
                sent++;
                if (ackOnSend)
                {
                    listener.onAck(sequence);
                }
                return true;
            }
            if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
            {
                return false;
            }
            throw new IllegalStateException(NAME + ": ping offer failed: " + Publication.errorString(result));
        }

        public boolean acksArriveInPoll()
        {
            return true;
        }

        public int poll()
        {
            return pongs.poll(assembler, FRAGMENT_LIMIT);
        }

        /**
         * Wait for the pong of every record sent; with {@code acks=0}, return at once.
         */
        public boolean flush(final long timeoutNs)
        {
            if (ackOnSend)
            {
                return true;
            }
            final long deadlineNs = System.nanoTime() + timeoutNs;
            while (ponged < sent && System.nanoTime() - deadlineNs < 0)
            {
                if (0 == poll())
                {
                    Thread.yield();
                }
            }
            return ponged >= sent;
        }

        public void close()
        {
            if (!closed)
            {
                closed = true;
                connectedProducers.decrementAndGet();
                CloseHelper.quietCloseAll(pings, pongs);
            }
        }

        private void onPong(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            ponged++;
            if (!ackOnSend)
            {
                listener.onAck(buffer.getLong(offset + SEQUENCE_OFFSET, BYTE_ORDER));
            }
        }
    }

    /**
     * Hands every pong to the handler. Allocation-free.
     * <p>
     * Threads: polled by the consumer thread; created and closed by the harness.
     */
    static final class Consumer implements E2eConsumer
    {
        private final Subscription pongs;
        private final FragmentAssembler assembler = new FragmentAssembler(this::onPong);
        private RecordHandler handler;

        Consumer(final Subscription pongs)
        {
            this.pongs = pongs;
        }

        public int poll(final RecordHandler handler)
        {
            this.handler = handler;
            return pongs.poll(assembler, FRAGMENT_LIMIT);
        }

        public void close()
        {
            pongs.close();
        }

        private void onPong(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            handler.onRecord(buffer, offset, length);
        }
    }
}
