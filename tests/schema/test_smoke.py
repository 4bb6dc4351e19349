async def test_customer_admin_reads_the_company_tree(world, customer_admin):
    data = await world.data(
        customer_admin,
        """{ viewer { login role permissions scope { wholeCompany } }
             customer { name orgRoot { name kind subscriberCount spending { total { amount currency } lineCount }
               effectivePolicy { roamingAllowed companySharePercent monthlyLimit { amount } }
               children { name kind costCentreCode monthlyBudget { amount currency } subscriberCount } } } }""",
    )
    print(data)
    assert data["viewer"]["role"] == "CUSTOMER_ADMIN"
