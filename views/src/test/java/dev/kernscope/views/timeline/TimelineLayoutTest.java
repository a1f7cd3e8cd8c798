package dev.kernscope.views.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kernscope.views.model.CpuInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineLayoutTest {
    @Test
    void cpusAreGroupedUnderTheirNodeHeader() {
        List<CpuInfo> cpus = new ArrayList<>();
        for (int c = 0; c < 8; c++) cpus.add(new CpuInfo(c, c / 4));
        TimelineLayout l = new TimelineLayout(cpus, false);
        List<TimelineLayout.Row> rows = l.rows();
        assertThat(rows).hasSize(10);
        assertThat(rows.get(0).isHeader()).isTrue();
        assertThat(rows.get(0).node()).isZero();
        assertThat(rows.get(5).isHeader()).isTrue();
        assertThat(rows.get(5).node()).isEqualTo(1);
        assertThat(rows.get(0).y()).isEqualTo(TimelineLayout.OVERVIEW_H + TimelineLayout.RULER_H);
        for (int i = 1; i < rows.size(); i++) assertThat(rows.get(i).y()).isGreaterThanOrEqualTo(rows.get(i - 1).bottom());
        TimelineLayout.Row cpu4 = l.cpuRow(4);
        assertThat(cpu4.y()).isGreaterThan(rows.get(5).y());
        assertThat(cpu4.runqY()).isGreaterThanOrEqualTo(cpu4.y() + TimelineLayout.LANE_H);
        assertThat(l.rowAt(cpu4.y() + 1)).isEqualTo(cpu4);
    }

    @Test
    void pinnedLaneComesFirst() {
        TimelineLayout l = new TimelineLayout(List.of(new CpuInfo(0, 0)), true);
        assertThat(l.rows().get(0).isPinned()).isTrue();
        assertThat(l.cpuRow(0).y()).isGreaterThan(l.rows().get(0).y() + TimelineLayout.LANE_H);
    }
}
