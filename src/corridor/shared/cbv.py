"""GS1 Core Business Vocabulary (CBV 2.0): the business steps, defined once for every capability
that speaks of them (logistics events, customs departure checks).

Source: GS1 CBV 2.0, the enumeration of the official bizStep schema.
"""

from __future__ import annotations

from enum import StrEnum


class BizStep(StrEnum):
    """CBV 2.0 business steps (the enumeration of the official bizStep schema)."""

    ACCEPTING = "accepting"
    ARRIVING = "arriving"
    ASSEMBLING = "assembling"
    COLLECTING = "collecting"
    COMMISSIONING = "commissioning"
    CONSIGNING = "consigning"
    CREATING_CLASS_INSTANCE = "creating_class_instance"
    CYCLE_COUNTING = "cycle_counting"
    DECOMMISSIONING = "decommissioning"
    DEPARTING = "departing"
    DESTROYING = "destroying"
    DISASSEMBLING = "disassembling"
    DISPENSING = "dispensing"
    ENCODING = "encoding"
    ENTERING_EXITING = "entering_exiting"
    HOLDING = "holding"
    INSPECTING = "inspecting"
    INSTALLING = "installing"
    KILLING = "killing"
    LOADING = "loading"
    OTHER = "other"
    PACKING = "packing"
    PICKING = "picking"
    RECEIVING = "receiving"
    REMOVING = "removing"
    REPACKAGING = "repackaging"
    REPAIRING = "repairing"
    REPLACING = "replacing"
    RESERVING = "reserving"
    RETAIL_SELLING = "retail_selling"
    SHIPPING = "shipping"
    STAGING_OUTBOUND = "staging_outbound"
    STOCK_TAKING = "stock_taking"
    STOCKING = "stocking"
    STORING = "storing"
    TRANSPORTING = "transporting"
    UNLOADING = "unloading"
    UNPACKING = "unpacking"
    VOID_SHIPPING = "void_shipping"
    SENSOR_REPORTING = "sensor_reporting"
    SAMPLING = "sampling"
