package io.sluice.broker;

import io.sluice.broker.group.Assignor;
import io.sluice.broker.group.CooperativeStickyAssignor;
import io.sluice.broker.group.MemberSubscription;
import io.sluice.broker.group.RangeAssignor;
import io.sluice.broker.group.RoundRobinAssignor;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.GroupState;
import io.sluice.engine.PartitionLog;
import io.sluice.transport.ClientResponseProxy;
import io.sluice.transport.GroupDescription;
import io.sluice.transport.GroupListing;
import io.sluice.transport.PartitionRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The broker's consumer group coordinator: membership, generations, session and rebalance timeouts, and the
 * assignment of partitions to members, which the broker computes itself (range, round-robin or cooperative sticky)
 * so that members never exchange assignments.
 * <p>
 * A group's life: {@code EMPTY}; a join moves it to {@code PREPARING_REBALANCE}, where it waits until every member
 * has joined again or the rebalance timeout has passed (members that did not rejoin are removed); then the next
 * generation forms, every waiting join is answered, and the group is {@code COMPLETING_REBALANCE} until every member
 * has synced (taken its assignment), then {@code STABLE}. A heartbeat during a rebalance is answered
 * {@code REBALANCE_IN_PROGRESS}: the member finishes or abandons its in-flight records and joins again.
 * <p>
 * Handing a partition over never lets two members read it at once. With the eager assignors (range, round-robin)
 * members give up every partition before they rejoin, and the generation forms only once they have (or were removed
 * at the rebalance timeout). With the cooperative sticky assignor members keep reading the partitions they keep; a
 * partition that moves is first only taken from its owner (the owner is told to give it up and may still commit
 * it), and is given to its new member in the rebalance that follows, once the owner has rejoined without it.
 * <p>
 * Commits from members are fenced: they must come from a member of the current generation, for a partition it is
 * assigned or is giving up. Group state is in memory: after a broker restart members find themselves unknown and
 * join again; their committed offsets are in {@link GroupOffsets}.
 * <p>
 * Owned by the broker agent.
 */
final class GroupCoordinator
{
    /** Bounds on what a member may ask for. */
    static final int MIN_SESSION_TIMEOUT_MS = 500;
    static final int MAX_SESSION_TIMEOUT_MS = (int)TimeUnit.MINUTES.toMillis(30);
    static final int MAX_REBALANCE_TIMEOUT_MS = (int)TimeUnit.MINUTES.toMillis(30);
    static final int MAX_TOPICS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);

    /**
     * How the coordinator answers later than the request that asked: a join is answered when its generation forms.
     */
    interface Responder
    {
        /**
         * Send what {@code proxy} holds to a client, if it is still connected.
         *
         * @param session the client.
         * @param length  of the encoded response.
         */
        void send(ClientSession session, int length);
    }

    static final class Member
    {
        final String memberId;
        final String clientName;
        ClientSession session;
        int sessionTimeoutMs;
        int rebalanceTimeoutMs;
        Set<String> topics = Set.of();
        Set<PartitionRef> owned = Set.of();
        List<PartitionRef> assignment = List.of();
        Set<PartitionRef> revoking = Set.of();
        long joinCorrelationId = -1;
        ClientSession joinSession;
        boolean synced;
        long lastSeenNs;

        Member(final String memberId, final String clientName)
        {
            this.memberId = memberId;
            this.clientName = clientName;
        }

        boolean joining()
        {
            return null != joinSession;
        }
    }

    static final class Group
    {
        final String name;
        final TreeMap<String, Member> members = new TreeMap<>();
        GroupState state = GroupState.EMPTY;
        int generation;
        Assignor assignor;
        long rebalanceDeadlineNs;
        /** A cooperative generation withheld partitions from their new members: rebalance again once synced. */
        boolean followUp;

        Group(final String name)
        {
            this.name = name;
        }
    }

    private final Map<String, Group> groups = new HashMap<>();
    private final ClientResponseProxy proxy;
    private final Responder responder;
    private final TopicRegistry topics;
    private final GroupOffsets offsets;
    private final String brokerName;

    GroupCoordinator(
        final ClientResponseProxy proxy,
        final Responder responder,
        final TopicRegistry topics,
        final GroupOffsets offsets,
        final String brokerName)
    {
        this.proxy = proxy;
        this.responder = responder;
        this.topics = topics;
        this.offsets = offsets;
        this.brokerName = brokerName;
    }

    /**
     * @return the assignor a protocol value names, or null for a value this broker does not know.
     */
    static Assignor assignor(final short raw)
    {
        return switch (raw)
        {
            case 0 -> new RangeAssignor();
            case 1 -> new RoundRobinAssignor();
            case 2 -> new CooperativeStickyAssignor();
            default -> null;
        };
    }

    // ------------------------------------------------------------------------------------------------ requests

    /**
     * A member joins. Answered now with an error, or later (through the responder) when the generation forms.
     */
    void join(
        final ClientSession session,
        final long correlationId,
        final String groupName,
        final String requestedMemberId,
        final short assignorRaw,
        final int sessionTimeoutMs,
        final int rebalanceTimeoutMs,
        final Set<String> subscribed,
        final Set<PartitionRef> owned,
        final long nowNs)
    {
        final String invalid = validateJoin(groupName, assignorRaw, sessionTimeoutMs, rebalanceTimeoutMs, subscribed);
        if (null != invalid)
        {
            final ErrorCode code = null != GroupOffsets.validateGroup(groupName) ?
                ErrorCode.INVALID_GROUP : ErrorCode.INVALID_REQUEST;
            answerJoin(session, correlationId, code, -1, requestedMemberId, invalid);
            return;
        }
        final Assignor assignor = assignor(assignorRaw);
        Group group = groups.get(groupName);
        if (null != group && !group.members.isEmpty() && !group.assignor.name().equals(assignor.name()))
        {
            answerJoin(session, correlationId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, -1, requestedMemberId,
                "group " + groupName + " uses the " + group.assignor.name() + " assignor, not " + assignor.name());
            return;
        }
        Member member = null == group ? null : group.members.get(requestedMemberId);
        if (!requestedMemberId.isEmpty() && null == member)
        {
            answerJoin(session, correlationId, ErrorCode.UNKNOWN_MEMBER, -1, requestedMemberId,
                "member " + requestedMemberId + " is not in group " + groupName + ": join without a member id");
            return;
        }
        if (null == group)
        {
            group = new Group(groupName);
            groups.put(groupName, group);
        }
        if (null == member)
        {
            member = new Member(session.clientName + "-" + UUID.randomUUID(), session.clientName);
            group.members.put(member.memberId, member);
            LOG.info("{}: group {}: member {} joins ({})", brokerName, groupName, member.memberId, session);
        }
        else if (member.joining())
        {
            answerJoin(member.joinSession, member.joinCorrelationId, ErrorCode.REBALANCE_IN_PROGRESS, -1,
                member.memberId, "superseded by a later join of the same member");
        }
        group.assignor = assignor;
        member.session = session;
        member.sessionTimeoutMs = sessionTimeoutMs;
        member.rebalanceTimeoutMs = rebalanceTimeoutMs;
        member.topics = Set.copyOf(subscribed);
        member.owned = Set.copyOf(owned);
        member.joinSession = session;
        member.joinCorrelationId = correlationId;
        member.lastSeenNs = nowNs;
        if (group.state != GroupState.PREPARING_REBALANCE)
        {
            prepareRebalance(group, nowNs, "member " + member.memberId + " joined");
        }
        tryCompleteRebalance(group, nowNs);
    }

    /**
     * A member takes its assignment. Answered at once.
     */
    void sync(
        final ClientSession session,
        final long correlationId,
        final String groupName,
        final String memberId,
        final int generation,
        final long nowNs)
    {
        final Group group = groups.get(groupName);
        final Member member = null == group ? null : group.members.get(memberId);
        final ErrorCode code = check(group, member, generation);
        if (code != ErrorCode.NONE)
        {
            responder.send(session, proxy.syncGroupResponse(correlationId, code, null == group ? -1 : group.generation,
                List.of(), refusal(code, groupName, memberId, generation, group)));
            return;
        }
        member.lastSeenNs = nowNs;
        member.session = session;
        member.synced = true;
        responder.send(session, proxy.syncGroupResponse(correlationId, ErrorCode.NONE, group.generation,
            member.assignment, ""));
        if (group.state == GroupState.COMPLETING_REBALANCE && allSynced(group))
        {
            state(group, GroupState.STABLE, "every member has its assignment");
            if (group.followUp)
            {
                prepareRebalance(group, nowNs, "partitions withheld from their new members until given up");
            }
        }
    }

    /**
     * A member is alive. Answered at once.
     */
    void heartbeat(
        final ClientSession session,
        final long correlationId,
        final String groupName,
        final String memberId,
        final int generation,
        final long nowNs)
    {
        final Group group = groups.get(groupName);
        final Member member = null == group ? null : group.members.get(memberId);
        ErrorCode code = check(group, member, generation);
        if (null != member)
        {
            member.lastSeenNs = nowNs;
            member.session = session;
        }
        if (code == ErrorCode.ILLEGAL_GENERATION && group.state == GroupState.PREPARING_REBALANCE)
        {
            code = ErrorCode.REBALANCE_IN_PROGRESS;
        }
        responder.send(session, proxy.groupResponse(correlationId, code, null == group ? -1 : group.generation,
            code == ErrorCode.NONE || code == ErrorCode.REBALANCE_IN_PROGRESS ? "" :
            refusal(code, groupName, memberId, generation, group)));
    }

    /**
     * A member leaves. Answered at once.
     */
    void leave(
        final ClientSession session,
        final long correlationId,
        final String groupName,
        final String memberId,
        final long nowNs)
    {
        final Group group = groups.get(groupName);
        final Member member = null == group ? null : group.members.get(memberId);
        if (null == member)
        {
            responder.send(session, proxy.groupResponse(correlationId, ErrorCode.UNKNOWN_MEMBER,
                null == group ? -1 : group.generation, "member " + memberId + " is not in group " + groupName));
            return;
        }
        removeMember(group, member, "left", nowNs);
        responder.send(session, proxy.groupResponse(correlationId, ErrorCode.NONE, group.generation, ""));
    }

    /**
     * Whether a commit may be stored.
     *
     * @return {@code NONE}, or why not with {@link #commitRefusal}.
     */
    ErrorCode checkCommit(
        final String groupName, final String memberId, final int generation, final String topic, final int partition)
    {
        final Group group = groups.get(groupName);
        if (memberId.isEmpty() && generation < 0)
        {
            return null == group || group.members.isEmpty() ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER;
        }
        final Member member = null == group ? null : group.members.get(memberId);
        if (null == member)
        {
            return ErrorCode.UNKNOWN_MEMBER;
        }
        if (generation != group.generation)
        {
            return ErrorCode.ILLEGAL_GENERATION;
        }
        final PartitionRef ref = new PartitionRef(topic, partition);
        return member.assignment.contains(ref) || member.revoking.contains(ref) ?
            ErrorCode.NONE : ErrorCode.NOT_ASSIGNED;
    }

    String commitRefusal(
        final ErrorCode code, final String groupName, final String memberId, final int generation,
        final String topic, final int partition)
    {
        final Group group = groups.get(groupName);
        if (code == ErrorCode.UNKNOWN_MEMBER && memberId.isEmpty())
        {
            return "group " + groupName + " has members: offsets are committed by its members";
        }
        if (code == ErrorCode.NOT_ASSIGNED)
        {
            return "member " + memberId + " does not read " + topic + "-" + partition + " in generation " +
                generation + " of group " + groupName;
        }
        return refusal(code, groupName, memberId, generation, group);
    }

    // ------------------------------------------------------------------------------------------------ events

    /**
     * A client connection closed: its members leave, as they would at their session timeout, only sooner.
     */
    void onSessionClosed(final ClientSession session, final long nowNs)
    {
        for (final Group group : new ArrayList<>(groups.values()))
        {
            for (final Member member : new ArrayList<>(group.members.values()))
            {
                if (member.session == session)
                {
                    removeMember(group, member, "lost its connection", nowNs);
                }
                else if (member.joinSession == session)
                {
                    member.joinSession = null;
                    member.joinCorrelationId = -1;
                }
            }
        }
    }

    /**
     * This broker stops coordinating groups (in a cluster, it no longer leads the offsets topic): joins waiting for
     * their generation are answered {@code NOT_COORDINATOR}, and every group is forgotten. Members learn it from
     * their next request, look the coordinator up again and join there.
     *
     * @param reason for the answers and the log.
     */
    void resign(final String reason)
    {
        for (final Group group : groups.values())
        {
            for (final Member member : group.members.values())
            {
                if (member.joining())
                {
                    answerJoin(member.joinSession, member.joinCorrelationId, ErrorCode.NOT_COORDINATOR, -1,
                        member.memberId, reason);
                }
            }
        }
        if (!groups.isEmpty())
        {
            LOG.info("{}: forgets {} groups: {}", brokerName, groups.size(), reason);
        }
        groups.clear();
    }

    /**
     * A topic was created or deleted: groups subscribed to it rebalance.
     */
    void onTopicChanged(final String topic, final long nowNs)
    {
        for (final Group group : groups.values())
        {
            if (group.state == GroupState.PREPARING_REBALANCE)
            {
                continue;
            }
            for (final Member member : group.members.values())
            {
                if (member.topics.contains(topic))
                {
                    prepareRebalance(group, nowNs, "topic " + topic + " was created or deleted");
                    break;
                }
            }
        }
    }

    /**
     * Remove members silent past their session timeout, and finish rebalances past their timeout.
     *
     * @return work done.
     */
    int onTimer(final long nowNs)
    {
        int work = 0;
        for (final Group group : new ArrayList<>(groups.values()))
        {
            for (final Member member : new ArrayList<>(group.members.values()))
            {
                if (!member.joining() && nowNs - member.lastSeenNs > TimeUnit.MILLISECONDS.toNanos(member.sessionTimeoutMs))
                {
                    removeMember(group, member, "timed out (no heartbeat for " + member.sessionTimeoutMs + " ms)",
                        nowNs);
                    work++;
                }
            }
            if (group.state == GroupState.PREPARING_REBALANCE && nowNs - group.rebalanceDeadlineNs >= 0)
            {
                final List<Member> late = new ArrayList<>();
                for (final Member member : group.members.values())
                {
                    if (!member.joining())
                    {
                        late.add(member); // listed first: removing the last of them forms the generation
                    }
                }
                for (final Member member : late)
                {
                    removeMember(group, member, "did not rejoin within the rebalance timeout", nowNs);
                }
                tryCompleteRebalance(group, nowNs);
                work++;
            }
        }
        return work;
    }

    // ------------------------------------------------------------------------------------------------ admin

    /**
     * @return every group with members or committed offsets, by name.
     */
    List<GroupListing> list()
    {
        final TreeMap<String, GroupListing> listings = new TreeMap<>();
        for (final String name : offsets.groups())
        {
            listings.put(name, new GroupListing(name, GroupState.EMPTY, 0, 0, ""));
        }
        for (final Group group : groups.values())
        {
            if (!group.members.isEmpty() || group.generation > 0 || listings.containsKey(group.name))
            {
                listings.put(group.name, new GroupListing(group.name, group.state, group.members.size(),
                    group.generation, group.members.isEmpty() ? "" : group.assignor.name()));
            }
        }
        return List.copyOf(listings.values());
    }

    /**
     * @return the group, or null when it has neither members nor committed offsets.
     */
    GroupDescription describe(final String name)
    {
        final Group group = groups.get(name);
        final Map<PartitionRef, Long> committed = offsets.offsets(name);
        if ((null == group || group.members.isEmpty()) && committed.isEmpty())
        {
            return null;
        }
        final List<GroupDescription.Member> members = new ArrayList<>();
        final Map<PartitionRef, String> owners = new HashMap<>();
        final Set<PartitionRef> partitions = new TreeSet<>(committed.keySet());
        if (null != group)
        {
            for (final Member member : group.members.values())
            {
                members.add(new GroupDescription.Member(
                    member.memberId, member.clientName, member.sessionTimeoutMs, member.assignment));
                for (final PartitionRef partition : member.assignment)
                {
                    owners.put(partition, member.memberId);
                    partitions.add(partition);
                }
            }
        }
        final List<GroupDescription.PartitionOffset> rows = new ArrayList<>();
        for (final PartitionRef partition : partitions)
        {
            final Topic topic = topics.byName(partition.topic());
            // In a cluster this broker may hold no replica of the partition: its end is then unknown here (-1).
            final PartitionLog log = null == topic || partition.partition() >= topic.partitions.length ?
                null : topic.partitions[partition.partition()];
            final long endOffset = null == log ? -1 : log.logEndOffset();
            rows.add(new GroupDescription.PartitionOffset(partition, committed.getOrDefault(partition, -1L),
                endOffset, owners.getOrDefault(partition, "")));
        }
        final boolean active = null != group && !group.members.isEmpty();
        return new GroupDescription(name, active ? group.state : GroupState.EMPTY,
            null == group ? 0 : group.generation, active ? group.assignor.name() : "", List.copyOf(members),
            List.copyOf(rows));
    }

    // ------------------------------------------------------------------------------------------------ internals

    private void prepareRebalance(final Group group, final long nowNs, final String reason)
    {
        int timeoutMs = 0;
        for (final Member member : group.members.values())
        {
            timeoutMs = Math.max(timeoutMs, member.rebalanceTimeoutMs);
        }
        group.rebalanceDeadlineNs = nowNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        group.followUp = false;
        state(group, GroupState.PREPARING_REBALANCE, reason);
    }

    private void tryCompleteRebalance(final Group group, final long nowNs)
    {
        if (group.state != GroupState.PREPARING_REBALANCE)
        {
            return;
        }
        for (final Member member : group.members.values())
        {
            if (!member.joining())
            {
                return;
            }
        }
        if (group.members.isEmpty())
        {
            group.generation++;
            state(group, GroupState.EMPTY, "no members left");
            return;
        }

        group.generation++;
        final Map<String, Integer> partitionCounts = new HashMap<>();
        final List<MemberSubscription> subscriptions = new ArrayList<>();
        final Map<PartitionRef, String> currentOwners = new HashMap<>();
        for (final Member member : group.members.values())
        {
            for (final String name : member.topics)
            {
                final Topic topic = topics.byName(name);
                if (null != topic && !topic.internal)
                {
                    partitionCounts.put(name, topic.partitions.length);
                }
            }
            final Set<PartitionRef> owned = group.assignor.cooperative() ? member.owned : Set.of();
            subscriptions.add(new MemberSubscription(member.memberId, member.topics, owned));
            for (final PartitionRef partition : owned)
            {
                currentOwners.putIfAbsent(partition, member.memberId);
            }
        }
        final Map<String, List<PartitionRef>> target = group.assignor.assign(subscriptions, partitionCounts);
        int withheld = 0;
        for (final Member member : group.members.values())
        {
            final List<PartitionRef> assigned = new ArrayList<>();
            for (final PartitionRef partition : target.getOrDefault(member.memberId, List.of()))
            {
                final String owner = currentOwners.get(partition);
                if (null == owner || owner.equals(member.memberId))
                {
                    assigned.add(partition);
                }
                else
                {
                    withheld++; // its owner gives it up first
                }
            }
            final Set<PartitionRef> revoking = new HashSet<>(member.owned);
            assigned.forEach(revoking::remove);
            member.assignment = List.copyOf(assigned);
            member.revoking = group.assignor.cooperative() ? Set.copyOf(revoking) : Set.of();
            member.synced = false;
            member.lastSeenNs = nowNs;
        }
        group.followUp = withheld > 0;
        state(group, GroupState.COMPLETING_REBALANCE, "generation " + group.generation + " formed with " +
            group.members.size() + " members" + (withheld > 0 ? ", " + withheld + " partitions withheld" : ""));
        for (final Member member : group.members.values())
        {
            final ClientSession session = member.joinSession;
            final long correlationId = member.joinCorrelationId;
            member.joinSession = null;
            member.joinCorrelationId = -1;
            answerJoin(session, correlationId, ErrorCode.NONE, group.generation, member.memberId, "");
        }
    }

    private void removeMember(final Group group, final Member member, final String reason, final long nowNs)
    {
        group.members.remove(member.memberId);
        LOG.info("{}: group {}: member {} {}", brokerName, group.name, member.memberId, reason);
        if (member.joining())
        {
            answerJoin(member.joinSession, member.joinCorrelationId, ErrorCode.UNKNOWN_MEMBER, -1, member.memberId,
                "member " + member.memberId + " " + reason);
        }
        if (group.members.isEmpty())
        {
            group.generation++;
            group.followUp = false;
            state(group, GroupState.EMPTY, "its last member " + reason);
        }
        else if (group.state == GroupState.PREPARING_REBALANCE)
        {
            tryCompleteRebalance(group, nowNs);
        }
        else
        {
            prepareRebalance(group, nowNs, "member " + member.memberId + " " + reason);
        }
    }

    private void answerJoin(
        final ClientSession session,
        final long correlationId,
        final ErrorCode code,
        final int generation,
        final String memberId,
        final String message)
    {
        if (null != session && session.state == ClientSession.State.CONNECTED)
        {
            responder.send(session, proxy.joinGroupResponse(correlationId, code, generation, memberId, message));
        }
    }

    private static ErrorCode check(final Group group, final Member member, final int generation)
    {
        if (null == member)
        {
            return ErrorCode.UNKNOWN_MEMBER;
        }
        if (group.state == GroupState.PREPARING_REBALANCE)
        {
            return ErrorCode.REBALANCE_IN_PROGRESS;
        }
        return generation == group.generation ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    }

    private static boolean allSynced(final Group group)
    {
        for (final Member member : group.members.values())
        {
            if (!member.synced)
            {
                return false;
            }
        }
        return true;
    }

    private static String refusal(
        final ErrorCode code, final String groupName, final String memberId, final int generation, final Group group)
    {
        return switch (code)
        {
            case UNKNOWN_MEMBER -> "member " + memberId + " is not in group " + groupName;
            case ILLEGAL_GENERATION -> "generation " + generation + " is not group " + groupName + "'s current " +
                (null == group ? -1 : group.generation);
            case REBALANCE_IN_PROGRESS -> "group " + groupName + " is rebalancing: join again";
            default -> code.name();
        };
    }

    private String validateJoin(
        final String groupName,
        final short assignorRaw,
        final int sessionTimeoutMs,
        final int rebalanceTimeoutMs,
        final Set<String> subscribed)
    {
        final String badGroup = GroupOffsets.validateGroup(groupName);
        if (null != badGroup)
        {
            return badGroup;
        }
        if (null == assignor(assignorRaw))
        {
            return "unknown assignor " + assignorRaw;
        }
        if (sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS || sessionTimeoutMs > MAX_SESSION_TIMEOUT_MS)
        {
            return "session timeout must be " + MIN_SESSION_TIMEOUT_MS + " to " + MAX_SESSION_TIMEOUT_MS + " ms: " +
                sessionTimeoutMs;
        }
        if (rebalanceTimeoutMs < 1 || rebalanceTimeoutMs > MAX_REBALANCE_TIMEOUT_MS)
        {
            return "rebalance timeout must be 1 to " + MAX_REBALANCE_TIMEOUT_MS + " ms: " + rebalanceTimeoutMs;
        }
        if (subscribed.size() > MAX_TOPICS)
        {
            return "a member subscribes to at most " + MAX_TOPICS + " topics, not " + subscribed.size();
        }
        for (final String topic : subscribed)
        {
            if (topic.isEmpty() || topic.startsWith(TopicRegistry.INTERNAL_PREFIX))
            {
                return "cannot subscribe to topic '" + topic + "'";
            }
        }
        return null;
    }

    private void state(final Group group, final GroupState next, final String reason)
    {
        if (group.state != next)
        {
            LOG.info("{}: group {}: {} -> {} ({})", brokerName, group.name, group.state, next, reason);
        }
        group.state = next;
    }
}
