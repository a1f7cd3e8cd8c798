package dev.kernscope.views.analysis;

import dev.kernscope.views.draw.StyleColors;
import dev.kernscope.views.model.DiffFlameData;
import java.util.List;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.css.CssMetaData;
import javafx.css.Styleable;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;

/**
 * A differential flame graph (Gregg's): frames as wide as their weight in B, coloured by how their share
 * changed from the baseline A (warm: grew, cool: shrank, neutral: the same), both weights on hover. Paths
 * only A has are not drawn (they have no width in B); the table and the folded export keep them. Shows a
 * placeholder while the data is null. Confined to the FX thread.
 */
public class DiffFlameGraph extends Control implements StyleColors.Owner {
    static final String[] COLORS = {"-ks-background", "-ks-text", "-ks-text-dim", "-ks-frame-text", "-ks-same",
        "-ks-grew", "-ks-shrank", "-ks-tooltip-background", "-ks-tooltip-border"};
    private static final List<CssMetaData<? extends Styleable, ?>> CSS =
            StyleColors.declare(Control.getClassCssMetaData(), COLORS);

    private final ObjectProperty<DiffFlameData> data = new SimpleObjectProperty<>(this, "data");
    private final ObjectProperty<String> placeholder = new SimpleObjectProperty<>(this, "placeholder", "Nothing to compare");
    private final StyleColors colors = new StyleColors(this, CSS);
    private final javafx.beans.property.BooleanProperty normalized =
            new javafx.beans.property.SimpleBooleanProperty(this, "normalized", true);

    public DiffFlameGraph() {
        getStyleClass().add("diff-flame-graph");
    }

    /** The merged tree; null shows the placeholder. */
    public ObjectProperty<DiffFlameData> dataProperty() { return data; }
    public void setData(DiffFlameData d) { data.set(d); }
    public DiffFlameData getData() { return data.get(); }

    public ObjectProperty<String> placeholderProperty() { return placeholder; }

    /** Compare shares of each side's whole (true, the default) or absolute weights. */
    public javafx.beans.property.BooleanProperty normalizedProperty() { return normalized; }

    @Override public StyleColors styleColors() { return colors; }

    @Override protected Skin<?> createDefaultSkin() { return new DiffFlameGraphSkin(this); }

    @Override public String getUserAgentStylesheet() {
        return DiffFlameGraph.class.getResource("diff-flame-graph.css").toExternalForm();
    }

    public static List<CssMetaData<? extends Styleable, ?>> getClassCssMetaData() { return CSS; }

    @Override public List<CssMetaData<? extends Styleable, ?>> getControlCssMetaData() { return CSS; }
}
