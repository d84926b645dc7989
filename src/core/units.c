/* The units table (ssb_units.h). */
#include <ssbnet/ssb_units.h>

#include <string.h>

/* SI value of one display unit (display = SI / si_per_unit). 1 mAh/cm2 = 3.6 C / 1e-4 m2 = 36000 C/m2;
 * 1 mWh/cm2 = 36000 J/m2; 1 Wh = 3600 J; 1 L = 1e-3 m3; 1 mA/cm2 = 10 A/m2; 1 mS/cm = 0.1 S/m;
 * 1 ohm cm2 = 1e-4 ohm m2. */
static const ssb_unit_info units[SSB_UNIT_COUNT] = {
    [SSB_UNIT_NONE] = {"-", "", "1", 1.0},
    [SSB_UNIT_S_PER_M] = {"S/m", "S_per_m", "S/m", 1.0},
    [SSB_UNIT_MS_PER_CM] = {"mS/cm", "mS_per_cm", "S/m", SSB_UNIT_SI_MS_PER_CM},
    [SSB_UNIT_S_PER_CM] = {"S/cm", "S_per_cm", "S/m", SSB_UNIT_SI_S_PER_CM},
    [SSB_UNIT_V] = {"V", "V", "V", 1.0},
    [SSB_UNIT_MV] = {"mV", "mV", "V", SSB_UNIT_SI_MV},
    [SSB_UNIT_K] = {"K", "K", "K", 1.0},
    [SSB_UNIT_M] = {"m", "m", "m", 1.0},
    [SSB_UNIT_UM] = {"um", "um", "m", SSB_UNIT_SI_UM},
    [SSB_UNIT_NM] = {"nm", "nm", "m", SSB_UNIT_SI_NM},
    [SSB_UNIT_PER_M] = {"1/m", "1_per_m", "1/m", 1.0},
    [SSB_UNIT_PER_UM] = {"1/um", "1_per_um", "1/m", 1e6},
    [SSB_UNIT_M2] = {"m2", "m2", "m2", 1.0},
    [SSB_UNIT_A] = {"A", "A", "A", 1.0},
    [SSB_UNIT_A_PER_M2] = {"A/m2", "A_per_m2", "A/m2", 1.0},
    [SSB_UNIT_MA_PER_CM2] = {"mA/cm2", "mA_per_cm2", "A/m2", SSB_UNIT_SI_MA_PER_CM2},
    [SSB_UNIT_C_PER_M2] = {"C/m2", "C_per_m2", "C/m2", 1.0},
    [SSB_UNIT_MAH_PER_CM2] = {"mAh/cm2", "mAh_per_cm2", "C/m2", SSB_UNIT_SI_MAH_PER_CM2},
    [SSB_UNIT_J_PER_M2] = {"J/m2", "J_per_m2", "J/m2", 1.0},
    [SSB_UNIT_MWH_PER_CM2] = {"mWh/cm2", "mWh_per_cm2", "J/m2", 36000.0},
    [SSB_UNIT_WH_PER_KG] = {"Wh/kg", "Wh_per_kg", "J/kg", 3600.0},
    [SSB_UNIT_WH_PER_L] = {"Wh/L", "Wh_per_L", "J/m3", 3.6e6},
    [SSB_UNIT_OHM_M2] = {"ohm m2", "ohm_m2", "ohm m2", 1.0},
    [SSB_UNIT_OHM_CM2] = {"ohm cm2", "ohm_cm2", "ohm m2", SSB_UNIT_SI_OHM_CM2},
    [SSB_UNIT_S] = {"s", "s", "s", 1.0},
    [SSB_UNIT_H] = {"h", "h", "s", 3600.0},
    [SSB_UNIT_PER_H] = {"1/h", "", "1/h", 1.0},
    [SSB_UNIT_C_PER_KG] = {"C/kg", "C_per_kg", "C/kg", 1.0},
    [SSB_UNIT_MAH_PER_G] = {"mAh/g", "mAh_per_g", "C/kg", 3600.0},
    [SSB_UNIT_BYTES] = {"bytes", "bytes", "bytes", 1.0},
    [SSB_UNIT_OHM] = {"Ohm", "Ohm", "Ohm", 1.0},
    [SSB_UNIT_OHM2] = {"Ohm^2", "Ohm2", "Ohm^2", 1.0},
    [SSB_UNIT_F] = {"F", "F", "F", 1.0},
    [SSB_UNIT_HZ] = {"Hz", "Hz", "Hz", 1.0},
    [SSB_UNIT_HENRY] = {"H", "", "H", 1.0},
    [SSB_UNIT_MOL_PER_M3] = {"mol/m3", "mol_per_m3", "mol/m3", 1.0},
    [SSB_UNIT_M2_PER_S] = {"m2/s", "m2_per_s", "m2/s", 1.0},
    [SSB_UNIT_CM2_PER_S] = {"cm2/s", "cm2_per_s", "m2/s", SSB_UNIT_SI_CM2_PER_S},
    [SSB_UNIT_J_PER_MOL] = {"J/mol", "J_per_mol", "J/mol", 1.0},
    [SSB_UNIT_KJ_PER_MOL] = {"kJ/mol", "kJ_per_mol", "J/mol", SSB_UNIT_SI_KJ_PER_MOL},
    [SSB_UNIT_KG_PER_M3] = {"kg/m3", "kg_per_m3", "kg/m3", 1.0},
    [SSB_UNIT_G_PER_CM3] = {"g/cm3", "g_per_cm3", "kg/m3", SSB_UNIT_SI_G_PER_CM3},
    [SSB_UNIT_G_PER_MOL] = {"g/mol", "g_per_mol", "kg/mol", SSB_UNIT_SI_G_PER_MOL},
    [SSB_UNIT_PA] = {"Pa", "Pa", "Pa", 1.0},
    [SSB_UNIT_MPA] = {"MPa", "MPa", "Pa", SSB_UNIT_SI_MPA},
    [SSB_UNIT_GPA] = {"GPa", "GPa", "Pa", SSB_UNIT_SI_GPA},
    [SSB_UNIT_AH_PER_M2] = {"Ah/m2", "Ah_per_m2", "C/m2", SSB_UNIT_SI_AH_PER_M2},
    [SSB_UNIT_CM2] = {"cm2", "cm2", "m2", SSB_UNIT_SI_CM2},
};

const ssb_unit_info *ssb_unit_get(ssb_unit u)
{
    return (int)u >= 0 && u < SSB_UNIT_COUNT ? &units[u] : &units[SSB_UNIT_NONE];
}

double ssb_unit_from_si(ssb_unit u, double v)
{
    return v / ssb_unit_get(u)->si_per_unit;
}

double ssb_unit_to_si(ssb_unit u, double v)
{
    return v * ssb_unit_get(u)->si_per_unit;
}

ssb_unit ssb_unit_from_key(const char *key)
{
    if (!key || !*key)
        return SSB_UNIT_COUNT;
    for (int u = 1; u < SSB_UNIT_COUNT; u++)
        if (units[u].key[0] && strcmp(units[u].key, key) == 0)
            return (ssb_unit)u;
    return SSB_UNIT_COUNT;
}
