"""Sample article texts shared by the language and fingerprint tests."""

ENGLISH = (
    "The city council voted on Tuesday to expand the network of protected bicycle lanes "
    "across the northern districts, after months of debate about parking, safety and the "
    "cost of the works. Supporters said the plan would cut traffic injuries and make it "
    "easier for children to ride to school, while several shop owners warned that losing "
    "parking spaces could hurt their business during the busy holiday season. The mayor "
    "promised that construction would be staged carefully so that no street is closed for "
    "more than two weeks at a time, and that the first lanes should open before the summer. "
    "Officials also said they would publish monthly reports on accidents, travel times and "
    "the number of cyclists using each route, so residents can judge whether it works."
)
FRENCH = (
    "Le gouvernement a présenté mardi un nouveau plan pour soutenir les ménages face à la "
    "hausse des prix de l'énergie, avec une aide directe pour les familles les plus modestes "
    "et un gel des tarifs réglementés jusqu'à la fin de l'année."
)
GERMAN = (
    "Die Bundesregierung hat am Dienstag ein neues Paket vorgestellt, das Haushalte bei den "
    "steigenden Energiepreisen entlasten soll. Geplant sind direkte Zahlungen für Familien "
    "mit geringem Einkommen sowie eine Senkung der Stromsteuer."
)
SPANISH = (
    "El gobierno presentó el martes un nuevo plan para ayudar a los hogares frente al aumento "
    "de los precios de la energía, con ayudas directas para las familias con menos ingresos y "
    "una rebaja de los impuestos sobre la electricidad."
)
UNRELATED = (
    "Astronomers using a large radio telescope in the desert have detected a faint repeating "
    "signal from a distant galaxy, which they believe comes from a rapidly spinning neutron "
    "star. The team plans further observations next year to measure how the pulses change "
    "over time and whether a companion star is pulling material from its neighbour. Their "
    "results were published in a peer reviewed journal and shared with other observatories "
    "around the world, which will try to confirm the finding with independent instruments."
)
