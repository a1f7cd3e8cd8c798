package dev.kernscope.views.analysis;

import dev.kernscope.views.draw.StyleColors;
import dev.kernscope.views.model.SpanRows;
import java.util.List;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.css.CssMetaData;
import javafx.css.Styleable;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;

/**
 * Tracks of coloured spans on a time axis: a thread's states (running, runnable, sleeping, uninterruptible) and
 * the critical path (who ran, or waited, on it), a row each, the span under the pointer described on hover.
 * Shows a placeholder while the rows are null. Confined to the FX thread.
 */
public class SpanTrack extends Control implements StyleColors.Owner {
    static final String[] COLORS = {"-ks-background", "-ks-text", "-ks-text-dim", "-ks-separator", "-ks-running",
        "-ks-runnable", "-ks-sleeping", "-ks-uninterruptible", "-ks-other", "-ks-mark", "-ks-tooltip-background", "-ks-tooltip-border"};
    private static final List<CssMetaData<? extends Styleable, ?>> CSS =
            StyleColors.declare(Control.getClassCssMetaData(), COLORS);

    private final ObjectProperty<SpanRows> rows = new SimpleObjectProperty<>(this, "rows");
    private final ObjectProperty<String> placeholder = new SimpleObjectProperty<>(this, "placeholder", "No data");
    private final StyleColors colors = new StyleColors(this, CSS);

    public SpanTrack() {
        getStyleClass().add("span-track");
    }

    /** The rows; null shows the placeholder. */
    public ObjectProperty<SpanRows> rowsProperty() { return rows; }
    public void setRows(SpanRows r) { rows.set(r); }
    public SpanRows getRows() { return rows.get(); }

    /** What the placeholder says. */
    public ObjectProperty<String> placeholderProperty() { return placeholder; }

    @Override public StyleColors styleColors() { return colors; }

    @Override protected Skin<?> createDefaultSkin() { return new SpanTrackSkin(this); }

    @Override public String getUserAgentStylesheet() {
        return SpanTrack.class.getResource("span-track.css").toExternalForm();
    }

    public static List<CssMetaData<? extends Styleable, ?>> getClassCssMetaData() { return CSS; }

    @Override public List<CssMetaData<? extends Styleable, ?>> getControlCssMetaData() { return CSS; }
}
