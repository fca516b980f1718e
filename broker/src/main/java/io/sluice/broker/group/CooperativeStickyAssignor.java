package io.sluice.broker.group;

import io.sluice.transport.PartitionRef;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Kafka's cooperative sticky assignor ({@value #NAME}, cooperative): balanced, and moving as few partitions as it
 * can from the members that own them now, so that members keep reading through a rebalance.
 * <ol>
 *     <li>Each member keeps the partitions it owns that are still valid: the member still subscribes to the topic,
 *     the topic exists and has the partition. When two members claim a partition, the smaller member id keeps
 *     it.</li>
 *     <li>When every member subscribes to the same (existing) topics, with n partitions and m members, each member
 *     may keep n / m + 1 partitions if fewer than n % m members sorting before it already do, otherwise n / m; a
 *     member owning more gives up its highest-sorted extras.</li>
 *     <li>Every partition nobody keeps goes, in order, to the subscribed member with the fewest partitions, the
 *     smaller member id on a tie.</li>
 *     <li>While a member has at least two partitions more than another member subscribed to one of them, the
 *     highest-sorted such partition moves: from the member with the most partitions to the one with the fewest.
 *     This balances members whose subscriptions differ as far as they allow, and does nothing after steps 2 and
 *     3 when subscriptions are the same.</li>
 * </ol>
 * So when a member joins a balanced group, only the partitions that make its share move, and when a member
 * leaves, only its partitions move.
 * <p>
 * The broker's answer is the target assignment: a member that must give up a partition another member is given
 * stops reading it, and the other member starts once it has (the cooperative protocol's second rebalance).
 */
public final class CooperativeStickyAssignor implements Assignor
{
    /**
     * The assignor's protocol name.
     */
    public static final String NAME = "cooperative-sticky";

    /**
     * An assignor; it has no state.
     */
    public CooperativeStickyAssignor()
    {
    }

    /**
     * {@inheritDoc}
     */
    public String name()
    {
        return NAME;
    }

    /**
     * {@inheritDoc}
     */
    public boolean cooperative()
    {
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public Map<String, List<PartitionRef>> assign(
        final List<MemberSubscription> members, final Map<String, Integer> partitionCounts)
    {
        final List<MemberSubscription> sorted = MemberSubscription.sortedByMemberId(members);
        final List<PartitionRef> all = new ArrayList<>();
        for (final String topic : MemberSubscription.subscribedTopics(sorted, partitionCounts))
        {
            final int count = partitionCounts.get(topic);
            for (int partition = 0; partition < count; partition++)
            {
                all.add(new PartitionRef(topic, partition));
            }
        }

        final Map<String, TreeSet<PartitionRef>> assignment = keepOwned(sorted, partitionCounts);
        if (subscribeToSameTopics(sorted, partitionCounts))
        {
            trimToShare(sorted, assignment, all.size());
        }
        assignUnowned(sorted, assignment, all);
        balance(sorted, assignment, all.size());

        final Map<String, List<PartitionRef>> result = new LinkedHashMap<>();
        for (final MemberSubscription member : sorted)
        {
            result.put(member.memberId(), new ArrayList<>(assignment.get(member.memberId())));
        }

        return result;
    }

    private static Map<String, TreeSet<PartitionRef>> keepOwned(
        final List<MemberSubscription> sorted, final Map<String, Integer> partitionCounts)
    {
        final Map<String, TreeSet<PartitionRef>> assignment = new LinkedHashMap<>();
        final Set<PartitionRef> claimed = new HashSet<>();
        for (final MemberSubscription member : sorted)
        {
            final TreeSet<PartitionRef> partitions = new TreeSet<>();
            for (final PartitionRef partition : member.owned())
            {
                final Integer count = partitionCounts.get(partition.topic());
                final boolean valid = null != count && partition.partition() >= 0 && partition.partition() < count &&
                    member.topics().contains(partition.topic());
                // Members come in id order, so the smaller id claims a partition first.
                if (valid && claimed.add(partition))
                {
                    partitions.add(partition);
                }
            }
            assignment.put(member.memberId(), partitions);
        }

        return assignment;
    }

    private static boolean subscribeToSameTopics(
        final List<MemberSubscription> sorted, final Map<String, Integer> partitionCounts)
    {
        final Set<String> first = MemberSubscription.subscribedTopics(sorted.subList(0, 1), partitionCounts);
        for (int i = 1; i < sorted.size(); i++)
        {
            if (!first.equals(MemberSubscription.subscribedTopics(sorted.subList(i, i + 1), partitionCounts)))
            {
                return false;
            }
        }

        return true;
    }

    private static void trimToShare(
        final List<MemberSubscription> sorted, final Map<String, TreeSet<PartitionRef>> assignment, final int total)
    {
        final int share = total / sorted.size();
        int extraSlots = total % sorted.size();
        for (final MemberSubscription member : sorted)
        {
            final TreeSet<PartitionRef> partitions = assignment.get(member.memberId());
            int keep = share;
            if (partitions.size() > share && extraSlots > 0)
            {
                keep = share + 1;
                extraSlots--;
            }

            while (partitions.size() > keep)
            {
                partitions.pollLast();
            }
        }
    }

    private static void assignUnowned(
        final List<MemberSubscription> sorted,
        final Map<String, TreeSet<PartitionRef>> assignment,
        final List<PartitionRef> all)
    {
        final Set<PartitionRef> assigned = new HashSet<>();
        for (final TreeSet<PartitionRef> partitions : assignment.values())
        {
            assigned.addAll(partitions);
        }

        for (final PartitionRef partition : all)
        {
            if (assigned.contains(partition))
            {
                continue;
            }

            // Some member subscribes to the topic, or its partitions would not be among all.
            TreeSet<PartitionRef> fewest = null;
            for (final MemberSubscription member : sorted)
            {
                final TreeSet<PartitionRef> partitions = assignment.get(member.memberId());
                final boolean eligible = member.topics().contains(partition.topic());
                if (eligible && (null == fewest || partitions.size() < fewest.size()))
                {
                    fewest = partitions;
                }
            }
            fewest.add(partition);
        }
    }

    private static void balance(
        final List<MemberSubscription> sorted, final Map<String, TreeSet<PartitionRef>> assignment, final int total)
    {
        // Each move lowers the sum of the squares of the members' counts, at most total * total, by at least 2:
        // the loop ends without the bound, which only guards against a mistake.
        final long maxMoves = (long)total * total / 2 + 1;
        long moves = 0;
        while (moves < maxMoves && moveOne(sorted, assignment))
        {
            moves++;
        }
    }

    private static boolean moveOne(
        final List<MemberSubscription> sorted, final Map<String, TreeSet<PartitionRef>> assignment)
    {
        final List<MemberSubscription> byCount = new ArrayList<>(sorted);
        byCount.sort(Comparator.comparingInt((final MemberSubscription member) ->
            assignment.get(member.memberId()).size()));

        // Stable sort: on equal counts the smaller id comes first, so it gives last and receives first.
        for (int from = byCount.size() - 1; from > 0; from--)
        {
            final TreeSet<PartitionRef> fromPartitions = assignment.get(byCount.get(from).memberId());
            for (int to = 0; to < from; to++)
            {
                final MemberSubscription receiver = byCount.get(to);
                final TreeSet<PartitionRef> toPartitions = assignment.get(receiver.memberId());
                if (toPartitions.size() + 1 >= fromPartitions.size())
                {
                    break;
                }

                for (final PartitionRef partition : fromPartitions.descendingSet())
                {
                    if (receiver.topics().contains(partition.topic()))
                    {
                        fromPartitions.remove(partition);
                        toPartitions.add(partition);
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
